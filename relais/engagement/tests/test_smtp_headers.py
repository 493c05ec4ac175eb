"""A programme e-mail through a real SMTP server: the headers a mail client reads to show its
"unsubscribe" button (RFC 2369 ``List-Unsubscribe``, RFC 8058 ``List-Unsubscribe-Post``) arrive
as sent, and the one-click POST a mailbox provider makes to the URL read from them unsubscribes
the partner."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from relais.engagement import mailing, preferences
from relais.engagement.choices import SkipReason, Topic
from relais.engagement.tests.smtp import smtp_server  # noqa: F401 - a pytest fixture
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def send_programme_message(partner):
    message = mailing.programme_message(
        partner=partner,
        email=partner.email,
        language="fr",
        topic=Topic.NEWS,
        subject="Les nouvelles du programme",
        body="Bonjour, voici les nouvelles.",
    )
    with mail.mailers.default as connection:
        assert connection.send_messages([message]) == 1
    return message


def test_the_received_message_carries_the_one_click_unsubscribe_headers(smtp_server):  # noqa: F811
    partner = PartnerFactory(email="anne.martin@orange.fr")
    sent = send_programme_message(partner)
    (received,) = smtp_server.to("anne.martin@orange.fr")
    # RFC 2369: one or more <URI>s, comma-separated; ours is the HTTPS one, a mailto optional.
    uris = re.findall(r"<([^>]+)>", received["List-Unsubscribe"])
    https = [u for u in uris if u.startswith(("https://", "http://"))]
    assert https == [preferences.unsubscribe_url(partner)]
    assert all(u.startswith("mailto:") for u in uris if u not in https)
    assert re.fullmatch(r"/e/u/[^/]+/", urlsplit(https[0]).path)
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # the id the provider's webhooks will name is the one the message left with
    assert received["Message-ID"] == mailing.message_id(sent)
    # the footer links to the preference page in both parts
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert preferences.preferences_url(partner) in text
    assert preferences.preferences_url(partner) in html


def test_the_one_click_post_to_the_received_url_unsubscribes_the_partner(smtp_server):  # noqa: F811
    partner = PartnerFactory()
    send_programme_message(partner)
    (received,) = smtp_server.messages
    (url,) = re.findall(r"<(https?://[^>]+)>", received["List-Unsubscribe"])
    # what Gmail or Yahoo send (RFC 8058 §3.2): a POST with this body, no cookie, no CSRF token
    answer = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path,
        data=received["List-Unsubscribe-Post"],
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    stored = preferences.preference_of(partner)
    assert preferences.blocked(stored, partner.email, Topic.NEWS, False) == SkipReason.UNSUBSCRIBED
