"""A manager builds a custom segment and watches the live count follow the filters (and say
when nobody matches), at 1366 and 375 px; the segment pages pass axe-core. Screenshots of
each step go to /tmp/shots/."""

import pytest

from relais.engagement.models import SavedSegment
from relais.engagement.segments import segments_judge
from relais.testing.factories import PartnerFactory, UserFactory
from tests.browser.pages import SHOTS, fits, signed_in
from tests.browser.test_accessibility import assert_none, check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    with signed_in(browser, live_server, UserFactory()) as context:  # a network manager
        yield context.new_page()


def _count(page, expected: str) -> str:
    """The live count once it says ``expected`` (htmx answers after a short pause)."""
    count = page.locator("#segment-count")
    count.filter(has_text=expected).wait_for(timeout=5000)
    return count.inner_text()


@pytest.mark.parametrize("width", [1366, 375])
def test_a_manager_builds_a_custom_segment_with_a_live_count(page, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    plumbers = [PartnerFactory(sector="Plomberie") for _ in range(3)]
    PartnerFactory(sector="Toiture", postcode="75011", departement_id="75")
    segments_judge()
    page.set_viewport_size({"width": width, "height": 900})
    found = []

    page.goto("/engagement/segments/")
    found += check(page, f"segments at {width}px")
    fits(page, f"segments at {width}px")
    page.screenshot(path=SHOTS / f"segments-{width}.png", full_page=True)
    page.locator("#segment-new a").click()
    page.wait_for_url("**/engagement/segments/new/")
    assert page.locator("tbody tr").count() == 4
    found += check(page, f"segment list at {width}px")
    fits(page, f"segment list at {width}px")
    page.screenshot(path=SHOTS / f"segment-list-{width}.png", full_page=True)
    page.get_by_role("link", name=plumbers[0].display_name).click()
    card = page.locator("#partner-segment")
    assert "New, never referred" in card.inner_text()
    card.screenshot(path=SHOTS / f"segment-card-{width}.png")
    page.goto("/engagement/segments/")
    page.get_by_role("link", name="New custom segment").first.click()
    page.wait_for_url("**/engagement/segments/saved/new/")
    assert "4 partners match" in _count(page, "4 partners")

    page.get_by_label("Sector").fill("Plomberie")
    assert "3 partners match" in _count(page, "3 partners")
    page.get_by_label("Département").fill("75")
    assert "No partner matches" in _count(page, "No partner")
    page.screenshot(path=SHOTS / f"segment-nobody-{width}.png", full_page=True)
    page.get_by_label("Département").fill("69")
    assert "3 partners match" in _count(page, "3 partners")
    found += check(page, f"custom segment form at {width}px")
    fits(page, f"custom segment form at {width}px")
    page.screenshot(path=SHOTS / f"segment-form-{width}.png", full_page=True)

    page.get_by_role("button", name="Save").click()
    name = page.locator(".field.has-error", has=page.get_by_label("Name"))
    assert "Give the segment a name." in name.inner_text()
    page.get_by_label("Name").fill("Plombiers du Rhône")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/engagement/segments/saved/")
    row = page.locator("#saved-segments tr", has_text="Plombiers du Rhône")
    assert "3" in row.inner_text()
    assert SavedSegment.objects.get().filters == {"sector": "Plomberie", "departement": "69"}
    page.screenshot(path=SHOTS / f"segments-saved-{width}.png", full_page=True)
    assert_none(found)
