"""An introducer passes a lead on a phone; a prospect fills in a partner's public link."""

import pytest

from relais.leads.models import Lead
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def test_an_introducer_submits_a_lead_on_a_phone(phone, live_server, client):
    partner = PartnerFactory()
    user = partner_user(partner)
    client.force_login(user)
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    phone.goto("/portal/leads/")
    phone.click("text=Transmettre un lead")
    phone.fill("input[name=last_name]", "Famille Roux")
    phone.fill("input[name=phone]", "06 70 80 90 10")
    phone.fill("input[name=postcode]", "44000")
    phone.fill("textarea[name=need]", "Isolation des combles")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.click("button.primary")
    phone.wait_for_url("**/portal/leads/")
    assert phone.locator("text=Famille Roux").is_visible()
    lead = Lead.objects.get()
    assert (lead.partner, lead.phone, lead.departement_id, lead.channel) == (
        partner,
        "+33670809010",
        "44",
        "portal",
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_public_link_submission_is_attributed_to_its_partner(phone):
    partner = PartnerFactory(referral_code="lien2345", company_name="Habitat Conseil")
    phone.goto("/r/lien2345/")
    assert "Habitat Conseil" in phone.locator("#gdpr-notice").inner_text()
    phone.fill("input[name=last_name]", "Mme Petit")
    phone.fill("input[name=email]", "petit@orange.fr")
    phone.fill("input[name=postcode]", "13008")
    phone.check("input[name=consent_phone]")
    box = phone.locator("input[name=website]").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # the honeypot is off-screen for people
    phone.click("button.primary")
    phone.wait_for_selector("h1:text('Merci')")
    lead = Lead.objects.get()
    assert (lead.partner, lead.channel, lead.consent_phone, lead.departement_id) == (
        partner,
        "referral_link",
        True,
        "13",
    )
