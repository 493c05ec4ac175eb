"""Account plans and special operations in the browser: a salesperson fills an account's buying
centre and sees the gap, adds a step, downloads the PDF; a manager opens an operation, a
salesperson puts their own contact forward, the manager sends the invitations and switches a
team's sharing. Each page through axe-core at 1366 and 375 px (screenshots kept)."""

from __future__ import annotations

import pytest

from relais.accounts.choices import Role
from relais.network.models import NetworkTeam, OperationNomination
from relais.network.tests.factories import account, contact, knows
from relais.testing.factories import UserFactory
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_account_plan_and_a_special_operation(browser, live_server):
    manager = UserFactory(first_name="Marie", last_name="Manager")
    sophie = UserFactory(role=Role.SALESPERSON, first_name="Sophie", last_name="Laurent")
    cible = account("Groupe Vernier Industrie", sector="Industrie", departement="69")
    boss = contact(cible, "Vernier", first_name="Claire", title="PDG")
    buyer = contact(cible, "Girard", first_name="Paul", title="Achats", email="p.girard@v.fr")
    knows(sophie, buyer, visibility="shared", strength=4)

    with signed_in(browser, live_server, sophie) as context:
        page = context.new_page()
        page.goto(f"/network/accounts/{cible.pk}/plan/")
        page.fill("textarea[name=strategy]", "Entrer par la rénovation du siège")
        page.locator("#plan-form button.primary").click()
        page.wait_for_url(f"**/network/accounts/{cible.pk}/plan/")
        # The account's people not in the buying centre yet, each with its own "add" button.
        row = page.locator(f"#plan-others li[data-contact='{boss.pk}']")
        row.locator("select[name=role]").select_option("decision_maker")
        row.get_by_role("button").click()
        page.wait_for_url(f"**/network/accounts/{cible.pk}/plan/")
        assert "Claire Vernier" not in page.locator("#plan-others").inner_text()
        page.locator("#plan-centre-add summary").click()
        page.select_option("#plan-centre-add select[name=contact]", str(buyer.pk))
        page.select_option("#plan-centre-add select[name=role]", "ally")
        page.locator("#plan-centre-add button.primary").click()
        page.wait_for_url(f"**/network/accounts/{cible.pk}/plan/")
        assert (
            "Nobody knows the decision-maker Claire Vernier."
            in page.locator("#plan-gaps").inner_text()
        )
        page.fill("#plan-step-form input[name=text]", "Déjeuner avec la PDG")
        page.locator("#plan-step-form button").click()
        page.wait_for_url(f"**/network/accounts/{cible.pk}/plan/")
        assert "Déjeuner avec la PDG" in page.locator("#plan-steps").inner_text()
        assert both_widths(page, "Account plan", prefix="network-plan-") == []
        with page.expect_download() as pdf:
            page.click("#plan-pdf")
        assert pdf.value.suggested_filename.endswith(".pdf")

    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto("/network/operations/")
        page.locator("#operation-new summary").click()
        page.fill("input[name=name]", "Salon Bâtiment — invitations VIP")
        page.fill("input[name=starts_on]", "2030-03-10")
        page.fill("input[name=ends_on]", "2030-03-12")
        page.locator("#operation-new button.primary").click()
        page.wait_for_url("**/network/operations/*/")
        operation_url = page.url

    with signed_in(browser, live_server, sophie, width=375) as context:
        page = context.new_page()
        page.goto(operation_url)
        page.check("#operation-eligible input[name=relationship]")
        page.get_by_role("button", name="Put them forward").click()
        page.wait_for_url(operation_url)
        assert "Girard" in page.locator("#nominations").inner_text()
        assert both_widths(page, "Operation salesperson", prefix="network-op-") == []
    assert OperationNomination.objects.get().nominated_by == sophie

    NetworkTeam.objects.create(name="Pilote Lyon", sharing_enabled=False).members.add(sophie)
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto(operation_url)
        page.get_by_role("button", name="Send the invitations").click()
        page.wait_for_url(operation_url)
        assert "Invitations sent" in page.locator("#operation-status").inner_text()
        assert both_widths(page, "Operation manager", prefix="network-op-") == []
        page.goto("/network/teams/")
        page.get_by_role("button", name="Switch on").click()
        page.wait_for_url("**/network/teams/")
        assert NetworkTeam.objects.get().sharing_enabled
        assert both_widths(page, "Sales teams", prefix="network-op-") == []
