"""On a phone, an introducer opens the unsubscribe link of a programme e-mail received through
a real SMTP server, confirms, sees that it is done (and that contractual e-mails still come),
then changes their mind on the preference page; the pages pass axe at 375 px and 1366 px.

``RELAIS_SCREENSHOTS=/tmp/shots`` keeps a screenshot of each step (the default here)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from relais.engagement import mailing, preferences
from relais.engagement.choices import SkipReason, Topic
from relais.engagement.tests.smtp import smtp_server  # noqa: F401 - a pytest fixture
from relais.testing.factories import PartnerFactory, partner_user
from tests.browser.test_accessibility import assert_none, audit  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}
SHOTS = Path(os.environ.get("RELAIS_SCREENSHOTS", "/tmp/shots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"unsubscribe-{name}.png", full_page=True)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def received_link(smtp_server, address, label):  # noqa: F811
    """The href of the footer link ``label`` in the HTML part of the e-mail ``address`` got."""
    (message,) = smtp_server.to(address)
    html = message.get_body(("html",)).get_content()
    (href,) = re.findall(rf'<a href="([^"]+)">{re.escape(label)}</a>', html)
    return href.replace("&amp;", "&")


def test_an_introducer_unsubscribes_from_the_email_then_chooses_what_to_receive(
    browser,
    live_server,
    settings,
    smtp_server,  # noqa: F811
):
    settings.SITE_URL = live_server.url  # the e-mail's links lead to this test's server
    partner = PartnerFactory(first_name="Amélie", last_name="Roux", email="amelie@orange.fr")
    message = mailing.programme_message(
        partner=partner,
        email=partner.email,
        language="en",
        topic=Topic.NEWS,
        subject="Programme news",
        body="Hello Amélie, here is the news.",
    )
    with mail.mailers.default as connection:
        connection.send_messages([message])

    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto(received_link(smtp_server, partner.email, "Unsubscribe"))
    assert page.locator("h1").inner_text() == "Unsubscribe from programme e-mails"
    assert "always sent" in page.inner_text("main")
    assert fits(page)
    shot(page, "1-confirm")
    assert preferences.preference_of(partner).unsubscribed_at is None  # opening is not enough

    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_selector("text=You are unsubscribed")
    assert "You will no longer receive programme e-mails." in page.inner_text("main")
    assert fits(page)
    shot(page, "2-done")
    stored = preferences.preference_of(partner)
    assert preferences.blocked(stored, partner.email, Topic.NEWS, False) == SkipReason.UNSUBSCRIBED

    page.get_by_role("link", name="Change my mind: choose what I receive").click()
    page.wait_for_selector("text=You unsubscribed from every programme e-mail on")
    assert fits(page)
    shot(page, "3-preferences-unsubscribed")
    assert not page.get_by_label("Programme news").is_checked()  # nothing comes now
    page.get_by_label("Challenges").check()
    page.get_by_label("Monthly digest with my figures").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_selector("text=Your choices are saved.")
    assert fits(page)
    shot(page, "4-preferences-saved")
    stored = preferences.preference_of(partner)
    assert stored.unsubscribed_at is None
    assert preferences.blocked(stored, partner.email, Topic.CHALLENGES, False) is None
    assert preferences.blocked(stored, partner.email, Topic.NEWS, False) == SkipReason.UNSUBSCRIBED
    context.close()


def test_the_mail_pages_pass_axe_on_a_phone_and_a_wide_screen(audit):  # noqa: F811
    partner = PartnerFactory()
    token = preferences.partner_token(partner)
    found = audit("anonymous", None, [f"/e/u/{token}/", f"/e/prefs/{token}/"])
    found += audit("introducer", partner_user(partner), ["/portal/mail/"])
    assert_none(found)
