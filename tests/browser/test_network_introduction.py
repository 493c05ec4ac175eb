"""Issue 29's "done when": salesperson A records a shared and an on-request relationship;
salesperson B finds the account, sees the shared one by name and the on-request one as "ask",
requests an introduction, A accepts, the outcome creates a lead that B works, and when it is
won A earns the internal bonus. The pages pass axe-core and fit 1366 and 375 px (screenshots)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from relais.accounts.choices import Role
from relais.commissions.models import EmployeeBonus
from relais.commissions.tests.conftest import active_plan
from relais.core.outbox import deliver_all
from relais.leads.models import Lead
from relais.network.models import Introduction, Relationship
from relais.network.tests.factories import account, contact
from relais.testing.factories import UserFactory
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _knows(page, contact_pk, strength, visibility):
    page.goto(f"/network/contacts/{contact_pk}/relationship/")
    page.check(f"input[name=strength][value='{strength}']")
    page.select_option("select[name=context]", "school")
    page.fill("input[name=context_note]", "HEC 2004")
    page.check(f"input[name=visibility][value='{visibility}']")
    page.locator("#relationship-form button.primary").click()
    page.wait_for_url("**/network/accounts/*/")


def _move(page, move):
    with page.expect_navigation():
        page.click(f"#lead-moves [data-move={move}] button")


def test_an_introduction_from_the_ask_to_the_internal_bonus(browser, live_server):
    manager = UserFactory()
    active_plan(
        manager,
        {"trigger": "won", "beneficiary": "employee", "formula": "percent", "rate": Decimal(2)},
    )
    alice = UserFactory(role=Role.SALESPERSON, first_name="Alice", last_name="Durand")
    bruno = UserFactory(role=Role.SALESPERSON, first_name="Bruno", last_name="Martin")
    cible = account("Menuiseries Cible", sector="Bâtiment", departement="69")
    jeanne = contact(cible, "Roux", first_name="Jeanne", title="Directrice générale")
    paul = contact(cible, "Petit", first_name="Paul", title="Acheteur", phone="0611223344")

    with signed_in(browser, live_server, alice) as context:
        page = context.new_page()
        _knows(page, jeanne.pk, 5, "shared")
        _knows(page, paul.pk, 4, "on_request")
        assert both_widths(page, "Account map", prefix="network-a-") == []
    on_request = Relationship.objects.get(contact=paul)

    with signed_in(browser, live_server, bruno) as context:
        page = context.new_page()
        page.goto("/network/?q=Cible")
        hits = page.locator("#network-hits")
        shared_hit = hits.locator(
            f"[data-relationship='{Relationship.objects.get(contact=jeanne).pk}']"
        )
        assert "Known by Alice Durand" in shared_hit.inner_text()
        ask_hit = hits.locator(f"[data-relationship='{on_request.pk}']")
        assert "Someone knows them — ask" in ask_hit.inner_text()
        assert "Alice" not in ask_hit.inner_text()
        assert both_widths(page, "Who knows whom", prefix="network-b-") == []
        ask_hit.get_by_role("link", name="Someone knows them — ask").click()
        page.wait_for_url("**/introduction/")
        page.fill("textarea[name=why]", "Il pilote les achats de menuiseries")
        page.fill("textarea[name=purpose]", "Présenter nos fenêtres bois-alu")
        assert both_widths(page, "Ask for an introduction", prefix="network-b-") == []
        page.locator("#introduction-form button.primary").click()
        page.wait_for_url("**/network/introductions/*/")
        assert page.locator("#introduction-status").inner_text() == "Requested"
        assert "named once they accept" in page.locator("#introduction-owner").inner_text()
    intro = Introduction.objects.get()

    with signed_in(browser, live_server, alice, width=375) as context:
        page = context.new_page()
        page.goto("/network/introductions/")
        page.locator(f"#introductions-to-answer [data-introduction='{intro.pk}'] a").click()
        assert both_widths(page, "Introduction to answer", prefix="network-a-") == []
        page.get_by_role("button", name="Accept: I will introduce them").click()
        page.wait_for_url(f"**/network/introductions/{intro.pk}/")
        assert page.locator("#introduction-status").inner_text() == "Accepted"

    with signed_in(browser, live_server, bruno, width=375) as context:
        page = context.new_page()
        page.goto(f"/network/introductions/{intro.pk}/")
        assert page.locator("#introduction-owner").inner_text() == "Alice Durand"
        page.check("input[name=outcome][value=opportunity]")
        page.fill("textarea[name=note]", "Rendez-vous très positif, chiffrage demandé")
        page.fill("input[name=need]", "40 fenêtres bois-alu")
        page.fill("input[name=postcode]", "69003")
        assert both_widths(page, "Introduction outcome", prefix="network-b-") == []
        page.get_by_role("button", name="Record the outcome").click()
        page.wait_for_url("**/leads/*/")
        lead = Lead.objects.get()
        assert (lead.channel, lead.salesperson, lead.assigned_salesperson) == (
            "introduction",
            alice,
            bruno,
        )
        _move(page, "opened")
        won = page.locator("#lead-moves details[data-move=won]")
        won.locator("summary").click()
        won.locator("input[name=amount]").fill("24000")
        with page.expect_navigation():
            won.locator("button[type=submit]").click()
        lead.refresh_from_db()
        assert lead.status == "won"

    deliver_all()  # the task worker delivers LeadWon: the network pays the introducer
    bonus = EmployeeBonus.objects.get()
    assert (bonus.employee, bonus.amount) == (alice, Decimal("480.00"))
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto("/commissions/internal-bonuses/")
        row = page.locator(f"#employee-bonuses [data-bonus='{bonus.pk}']")
        assert "Alice Durand" in row.inner_text()
        assert "480" in row.inner_text()
        assert both_widths(page, "Internal bonuses", prefix="network-manager-") == []
        page.goto("/network/introductions/leaderboard/")
        assert "Alice Durand" in page.locator("#leaderboard").inner_text()
        assert both_widths(page, "Introductions leaderboard", prefix="network-manager-") == []
