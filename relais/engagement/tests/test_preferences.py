"""What a partner agreed to receive: the unsubscribe link and its RFC 8058 one-click POST, the
preference page reached from an e-mail and the portal's, and the suppression list."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from relais.engagement import preferences, suppression
from relais.engagement.choices import RecipientState, SkipReason, SuppressionReason, Topic
from relais.engagement.models import Campaign, MessageTemplate, Preference, Recipient, Suppression
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}  # the pages in English, whatever the .po files hold today


@pytest.fixture
def client() -> Client:
    return Client(headers=EN)


def sent_recipient(partner: Partner, *, days_ago: int = 0, name: str = "Rentrée") -> Recipient:
    template, _ = MessageTemplate.objects.get_or_create(
        name="Nouvelles", defaults={"subject_fr": "Bonjour", "body_fr": "Bonjour {{ first_name }}"}
    )
    campaign = Campaign.objects.create(name=name, template=template)
    return Recipient.objects.create(
        campaign=campaign,
        partner=partner,
        email=partner.email,
        state=RecipientState.SENT,
        sent_at=timezone.now() - timedelta(days=days_ago),
        message_id=f"<{name}-{partner.pk}@relais.localhost>",
    )


def unsubscribe_path(partner: Partner) -> str:
    return preferences.unsubscribe_url(partner).removeprefix("http://localhost:8000")


def prefs_path(partner: Partner) -> str:
    return preferences.preferences_url(partner).removeprefix("http://localhost:8000")


# --- Services -----------------------------------------------------------------------------------


def test_unsubscribing_blocks_every_topic_and_keeps_the_first_date():
    partner = PartnerFactory()
    first = preferences.partner_unsubscribe(partner=partner, via="link").unsubscribed_at
    again = preferences.partner_unsubscribe(partner=partner, via="one-click").unsubscribed_at
    assert first is not None
    assert again == first
    stored = preferences.preference_of(partner)
    for topic in Topic:
        assert preferences.blocked(stored, partner.email, topic, False) == SkipReason.UNSUBSCRIBED


def test_unsubscribing_marks_the_latest_campaign_received_only():
    partner = PartnerFactory()
    older = sent_recipient(partner, days_ago=30, name="Été")
    latest = sent_recipient(partner, days_ago=1, name="Rentrée")
    preferences.partner_unsubscribe(partner=partner, via="link")
    older.refresh_from_db()
    latest.refresh_from_db()
    assert older.unsubscribed_at is None
    assert latest.unsubscribed_at is not None


def test_resubscribing_lifts_an_unsubscription_but_never_a_bounce():
    partner, bounced = PartnerFactory(), PartnerFactory()
    preferences.partner_unsubscribe(partner=partner, via="link")
    suppression.address_suppress(email=partner.email, reason=SuppressionReason.UNSUBSCRIBED)
    suppression.address_suppress(email=bounced.email, reason=SuppressionReason.HARD_BOUNCE)
    preferences.partner_resubscribe(partner=partner)
    preferences.partner_resubscribe(partner=bounced)
    assert preferences.preference_of(partner).unsubscribed_at is None
    assert preferences.suppressed_among([partner.email, bounced.email]) == {bounced.email}


def test_choosing_topics_again_is_a_resubscription_and_the_others_stay_off():
    partner = PartnerFactory()
    preferences.partner_unsubscribe(partner=partner, via="link")
    stored = preferences.preference_update(
        partner=partner, language="en", news=False, challenges=True, digest=False
    )
    assert stored.unsubscribed_at is None
    assert stored.language == "en"
    assert preferences.blocked(stored, partner.email, Topic.CHALLENGES, False) is None
    assert preferences.blocked(stored, partner.email, Topic.NEWS, False) == SkipReason.UNSUBSCRIBED


def test_an_unknown_language_is_refused():
    from relais.core.errors import DomainError

    with pytest.raises(DomainError, match="de"):
        preferences.preference_update(
            partner=PartnerFactory(), language="de", news=True, challenges=True, digest=True
        )


def test_a_suppressed_address_is_stored_lower_cased_and_matched_whatever_its_case():
    row = suppression.address_suppress(
        email="  Anne.Martin@Orange.FR ", reason=SuppressionReason.HARD_BOUNCE, detail="550"
    )
    assert row.email == "anne.martin@orange.fr"
    assert preferences.suppressed_among(["ANNE.martin@orange.fr"]) == {"anne.martin@orange.fr"}


def test_suppressing_twice_keeps_one_row_the_first_date_and_the_strongest_reason():
    first = suppression.address_suppress(email="a@b.fr", reason=SuppressionReason.UNSUBSCRIBED)
    suppression.address_suppress(email="A@B.fr", reason=SuppressionReason.COMPLAINT)
    suppression.address_suppress(email="a@b.fr", reason=SuppressionReason.HARD_BOUNCE)
    (row,) = Suppression.objects.all()
    assert row.at == first.at
    assert row.reason == SuppressionReason.COMPLAINT


@pytest.mark.django_db(transaction=True)
def test_the_same_bounce_reported_twice_at_once_suppresses_the_address_once():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    barrier, errors = threading.Barrier(4), []

    def report() -> None:
        try:
            barrier.wait()
            suppression.address_suppress(email="race@b.fr", reason=SuppressionReason.HARD_BOUNCE)
        except Exception as exc:  # the test reports any failure of a thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Suppression.objects.filter(email="race@b.fr").count() == 1


# --- Public pages -------------------------------------------------------------------------------


def test_the_unsubscribe_link_shows_one_button_and_unsubscribes_nobody_by_itself(client):
    partner = PartnerFactory()
    page = client.get(unsubscribe_path(partner))
    assert page.status_code == 200
    assert b"Unsubscribe from programme e-mails" in page.content
    assert b"Contractual and payment e-mails" in page.content
    assert preferences.preference_of(partner).unsubscribed_at is None


def test_the_rfc_8058_one_click_post_unsubscribes_without_cookie_or_csrf_token():
    partner = PartnerFactory()
    received = sent_recipient(partner)
    provider = Client(
        enforce_csrf_checks=True, headers=EN
    )  # a mailbox provider: no cookie, no token
    answer = provider.post(
        unsubscribe_path(partner),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert preferences.preference_of(partner).unsubscribed_at is not None
    received.refresh_from_db()
    assert received.unsubscribed_at is not None


def test_the_confirm_button_unsubscribes_and_says_so(client):
    partner = PartnerFactory()
    answer = client.post(unsubscribe_path(partner))
    assert answer.status_code == 200
    assert b"You are unsubscribed" in answer.content
    assert preferences.preference_of(partner).unsubscribed_at is not None


@pytest.mark.parametrize("path", ["/e/u/{token}/", "/e/prefs/{token}/"])
def test_a_forged_or_mangled_link_is_a_clear_404(client, path):
    partner = PartnerFactory()
    forged = preferences.partner_token(partner)[:-3] + "abc"
    for token in (forged, "123", "nothing-here"):
        answer = client.post(
            path.format(token=token),
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert answer.status_code == 404
        assert b"This link is not valid" in answer.content
    assert Preference.objects.count() == 0


def test_the_preference_page_saves_the_topics_and_the_language(client):
    partner = PartnerFactory()
    page = client.get(prefs_path(partner))
    assert page.status_code == 200
    assert b"are always sent" in page.content
    client.post(prefs_path(partner), {"action": "save", "language": "en", "digest": "on"})
    stored = Preference.objects.get(partner=partner)
    assert (stored.language, stored.news, stored.challenges, stored.digest) == (
        "en",
        False,
        False,
        True,
    )


def test_the_preference_page_unsubscribes_from_everything_and_back(client):
    partner = PartnerFactory()
    answer = client.post(prefs_path(partner), {"action": "unsubscribe"})
    assert b"You are unsubscribed from every programme e-mail." in answer.content
    assert preferences.preference_of(partner).unsubscribed_at is not None
    answer = client.post(prefs_path(partner), {"action": "resubscribe"})
    assert preferences.preference_of(partner).unsubscribed_at is None


def test_the_preference_page_needs_its_csrf_token(client):
    partner = PartnerFactory()
    forged = Client(enforce_csrf_checks=True, headers=EN)
    answer = forged.post(prefs_path(partner), {"action": "save", "language": "en"})
    assert answer.status_code == 403
    assert not Preference.objects.filter(partner=partner).exists()


# --- Portal -------------------------------------------------------------------------------------


def test_the_portal_page_edits_the_logged_in_partners_own_preferences(client):
    mine, other = PartnerFactory(), PartnerFactory()
    client.force_login(partner_user(mine))
    assert client.get("/portal/mail/").status_code == 200
    client.post("/portal/mail/", {"action": "save", "language": "fr", "news": "on"})
    stored = Preference.objects.get(partner=mine)
    assert (stored.news, stored.challenges, stored.digest) == (True, False, False)
    assert not Preference.objects.filter(partner=other).exists()


def test_the_portal_page_is_for_partners_only(client, manager):
    assert client.get("/portal/mail/").status_code == 302  # to the login page
    client.force_login(manager)
    assert client.get("/portal/mail/").status_code in (403, 404)


def test_an_unsubscribed_partner_saving_nothing_ticked_keeps_their_former_topics():
    partner = PartnerFactory()
    preferences.preference_update(
        partner=partner, language="fr", news=False, challenges=True, digest=True
    )
    preferences.partner_unsubscribe(partner=partner, via="link")
    preferences.preference_update(
        partner=partner, language="en", news=False, challenges=False, digest=False
    )
    stored = preferences.partner_resubscribe(partner=partner)
    assert (stored.language, stored.news, stored.challenges, stored.digest) == (
        "en",
        False,
        True,
        True,
    )


def test_a_partners_link_is_the_same_in_every_message_and_old_links_still_work(client):
    partner = PartnerFactory()
    preferences.unsubscribe_url(partner)  # the URLs (and the API's schemas) load on the real clock
    with freeze_time("2026-03-01 09:00:00"):
        first = preferences.unsubscribe_url(partner)
        # the timestamped kind the messages sent before carried
        older = signing.dumps(partner.pk, salt=preferences.SALT, compress=False)
    with freeze_time("2026-03-01 09:00:01"):
        assert preferences.unsubscribe_url(partner) == first
    answer = client.post(f"/e/u/{older}/")
    assert answer.status_code == 200
    assert preferences.preference_of(partner).unsubscribed_at is not None
