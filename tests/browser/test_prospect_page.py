"""The prospect's page on a phone: their consents shown, and its two buttons apart."""

import pytest

from relais.leads import services
from relais.leads.gdpr import prospect_token
from relais.testing.factories import PartnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_prospects_buttons_do_not_touch_on_a_phone(browser, live_server):
    lead = services.lead_submit(
        data={"last_name": "Bernard", "email": "bernard@orange.fr", "postcode": "31000"},
        channel="referral_link",
        partner=PartnerFactory(),
        consent_phone=True,
    )
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, base_url=live_server.url, locale="fr-FR"
    )
    page = context.new_page()
    page.goto(f"/p/{prospect_token(lead)}/")
    first = page.locator("button[value=object]").bounding_box()
    second = page.locator("button[value=erase]").bounding_box()
    assert first is not None
    assert second is not None
    apart_across = second["x"] - (first["x"] + first["width"])
    apart_down = second["y"] - (first["y"] + first["height"])
    assert max(apart_across, apart_down) >= 8  # side by side or stacked, never touching
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
