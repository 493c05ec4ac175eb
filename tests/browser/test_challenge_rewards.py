"""Issue 27, rewards: a manager gives an ended challenge its rewards from its page (a cash bonus,
a catalogue gift), sees their projected cost against the budget, awards them, names the
reseller's staff member and reads the contribution due, then the yearly summary. The pages pass
axe-core and fit the screen at 1366 and 375 px (screenshots kept)."""

import pytest
from django.utils import timezone

from relais.challenges.tests.test_rewards import ended, item
from relais.testing.factories import PartnerFactory, UserFactory
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_rewards_an_ended_challenge_and_reads_the_contribution_due(browser, live_server):
    manager = UserFactory()
    reseller = PartnerFactory(reseller=True, company_name="Menuiseries Durand")
    introducer = PartnerFactory(first_name="Camille", last_name="Moreau")
    challenge = ended([reseller, introducer], ["1.6", "0.8"], mechanic="ranking", top_n=2)
    item(name="Panier gourmand", incl="120.00", excl="100.00")
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto(f"/challenges/{challenge.pk}/")
        page.get_by_role("link", name="Rewards and their treatment").click()
        page.wait_for_url(f"**/challenges/{challenge.pk}/rewards/")
        page.select_option("#id_kind", "cash")
        page.fill("#id_amount", "1000")
        page.fill("#id_place", "1")
        page.locator("#reward-form button[type=submit]").click()
        page.select_option("#id_kind", "gift")
        page.select_option("#id_item", label="Panier gourmand")
        page.locator("#reward-form button[type=submit]").click()
        page.fill("#id_budget", "1200")
        page.locator("#budget-form button[type=submit]").click()
        # 1,000 € to the first, the basket to both: 1,240 €, over the 1,200 € budget.
        assert page.locator("#cost-total").inner_text() == "€1,240.00"
        assert page.get_by_text("Over budget").first.is_visible()
        assert both_widths(page, "Rewards before", prefix="challenge-rewards-") == []
        page.get_by_role("button", name="Award the rewards").click()
        assert page.get_by_text("3 rewards awarded.").is_visible()
        row = page.locator("#treatment tr", has_text="Menuiseries Durand")
        assert row.get_by_text("name the staff member").is_visible()
        person = page.locator("#awards .person-form").first
        person.locator("input[name=person]").fill("Léa Roux")
        person.get_by_role("button", name="Save").click()
        row = page.locator("#treatment tr", has_text="Léa Roux")
        # 1,120 € in her year: (1,120 − 273.45) × 20 % = 169.31 €.
        assert row.locator(".contribution").inner_text() == "€169.31"
        assert both_widths(page, "Rewards awarded", prefix="challenge-rewards-") == []
        page.get_by_role("link", name=f"Summary {timezone.localdate().year}").click()
        summary = page.locator("#year-summary")
        assert summary.locator("tr", has_text="Léa Roux").locator(".due").inner_text() == "€169.31"
        assert summary.locator("tr", has_text="Camille").locator(".due").inner_text() == "€0.00"
        assert both_widths(page, "Rewards year", prefix="challenge-rewards-") == []
