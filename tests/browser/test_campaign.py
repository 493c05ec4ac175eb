"""Issue 25's "done when": a manager builds a custom segment, writes an e-mail template with
merge fields, makes a campaign to that segment, previews it as one recipient, sends it; the
worker delivers it, and an introducer opens the unsubscribe link of the e-mail received and is
unsubscribed. The campaign pages pass axe-core and fit at 1366 and 375 px; each is saved in
/tmp/shots/ (or RELAIS_SCREENSHOTS)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from relais.core.models import Departement
from relais.engagement.models import Campaign, Preference, SavedSegment
from relais.engagement.sending import campaign_run
from relais.testing.factories import PartnerFactory, UserFactory
from tests.browser.pages import SHOTS, both_widths, signed_in
from tests.browser.test_accessibility import assert_none

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(browser, live_server):
    manager = UserFactory(email="manager@example.fr")  # a network manager
    with signed_in(browser, live_server, manager) as context:
        yield context


def test_a_manager_builds_a_segment_writes_previews_and_sends_a_campaign(context, live_server):
    paris = Departement.objects.get(code="75")
    amelie = PartnerFactory(first_name="Amélie", departement=paris, postcode="75011", city="Paris")
    basile = PartnerFactory(first_name="Basile", departement=paris, postcode="75012", city="Paris")
    PartnerFactory(first_name="Lyonnais")  # in the Rhône: not in the segment
    page = context.new_page()
    found = []

    # 1. A custom segment: the introducers of Paris.
    page.goto("/engagement/segments/saved/new/")
    page.get_by_label("Name").fill("Apporteurs parisiens")
    page.get_by_label("Département").fill("75")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/engagement/segments/saved/")
    segment = SavedSegment.objects.get(name="Apporteurs parisiens")

    # 2. A template with merge fields; a typo first, refused naming the field and the name.
    page.goto("/engagement/templates/new/")
    assert page.locator("#merge-fields").get_by_text("{{ leads_this_year }}").is_visible()
    page.get_by_label("Name").fill("Des nouvelles")
    page.get_by_label("Subject (French)").fill("{{ first_name }}, des nouvelles du programme")
    page.get_by_label("Body (French)").fill("Bonjour {{ frist_name }},\nÀ bientôt.")
    page.get_by_role("button", name="Save the template").click()
    error = page.locator(".field.has-error")
    assert "{{ frist_name }}" in error.inner_text()
    assert "Body (French)" in error.inner_text()
    found += both_widths(page, "template editor")
    page.get_by_label("Body (French)").fill(
        "Bonjour {{ first_name }},\nVous avez passé {{ leads_this_year }} affaires cette année."
        "\nVotre lien : {{ referral_link }}"
    )
    page.get_by_role("button", name="Save the template").click()
    page.wait_for_url("**/engagement/templates/")

    # 3. The campaign to that segment, nobody held out (two recipients).
    page.goto("/engagement/campaigns/")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Rentrée parisienne")
    page.get_by_label("E-mail template").select_option(label="Des nouvelles")
    page.get_by_label("A saved filter").check()
    page.get_by_label("Saved filter", exact=True).select_option(label=segment.name)
    page.get_by_label("Share held out (%)").fill("0")
    found += both_widths(page, "campaign editor")
    page.get_by_role("button", name="Save the draft").click()
    campaign = Campaign.objects.get(name="Rentrée parisienne")
    page.wait_for_url(f"**/engagement/campaigns/{campaign.pk}/")
    assert "2 partners today" in page.locator("#audience").inner_text()

    # 4. The preview, as Basile will read it (htmx swaps the partial in).
    page.get_by_label("As read by").select_option(label=basile.display_name)
    preview = page.locator("#preview-mail")
    preview.filter(has_text="Basile, des nouvelles du programme").wait_for()
    assert "Bonjour Basile," in preview.inner_text()
    assert "{{" not in preview.inner_text()
    found += both_widths(page, "campaign draft")

    # 5. Send now, behind its confirmation; the worker sends; the page follows it.
    page.locator("summary", has_text="Send now").click()
    page.get_by_role("button", name="Confirm: send now").click()
    page.locator(".msg-success", has_text="Campaign launched").wait_for()
    assert page.locator("#campaign-progress").is_visible()
    assert campaign_run(campaign_id=campaign.pk) == 2  # the task worker's job, run here
    # The progress is polled; once the campaign is sent the page reloads, with its recipients.
    page.locator("#recipient-rows [data-state=sent]").nth(1).wait_for(timeout=10_000)
    assert "2 sent of 2" in page.locator("#campaign-progress").inner_text()
    assert "Sent" in page.locator("#campaign-state").inner_text()
    assert page.locator("#recipient-rows [data-state=sent]").count() == 2
    found += both_widths(page, "campaign sent")

    # 6. Amélie unsubscribes through the link of the e-mail she received.
    received = next(m for m in mail.outbox if m.to == [amelie.email])
    assert received.subject == "Amélie, des nouvelles du programme"
    link = received.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in received.body
    reader = context.browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}
    )
    phone = reader.new_page()
    phone.goto(urlsplit(link).path)
    phone.get_by_role("button", name=re.compile("Unsubscribe|Se désinscrire")).click()
    phone.get_by_role("status").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOTS / "unsubscribed-375.png", full_page=True)
    reader.close()
    assert Preference.objects.get(partner=amelie).unsubscribed_at is not None
    assert not Preference.objects.filter(partner=basile, unsubscribed_at__isnull=False).exists()
    assert_none(found)
