"""Issue 29, part A in a browser: a salesperson records whom she knows with the 1–5 scale on
the form, a colleague finds the account by a person's name on a phone, the account page draws
the relationship map (a private relationship nowhere), and an address-book vCard is imported.
Each page passes axe-core and fits 1366 and 375 px (screenshots)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from relais.accounts.choices import Role
from relais.network.models import Contact, Relationship
from relais.network.tests.factories import account, contact, knows
from relais.network.tests.test_imports import VCF
from relais.testing.factories import UserFactory
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_find_and_map_who_knows_whom(browser, live_server, tmp_path):
    alice = UserFactory(role=Role.SALESPERSON, first_name="Alice", last_name="Durand")
    bruno = UserFactory(role=Role.SALESPERSON, first_name="Bruno", last_name="Martin")
    vernier = account("Groupe Vernier Industrie", sector="Industrie", departement="69")
    claire = contact(vernier, "Vernier", first_name="Claire", title="Présidente")
    contact(vernier, "Lefèvre", first_name="Marc", title="Directeur financier")
    roux = contact(vernier, "Roux", first_name="Inès", title="DSI")
    knows(alice, roux, strength=2, visibility="private")

    with signed_in(browser, live_server, alice) as context:
        page = context.new_page()
        page.goto(f"/network/contacts/{claire.pk}/relationship/")
        scale = page.locator("#id_strength").inner_text()
        assert "1 – met once" in scale
        assert "5 – close, would take my call" in scale
        assert both_widths(page, "Record a relationship", prefix="net-a-") == []
        page.check("input[name=strength][value='5']")
        page.select_option("select[name=context]", "school")
        page.check("input[name=visibility][value='shared']")
        page.locator("#relationship-form button.primary").click()
        page.wait_for_url("**/network/accounts/*/")
        assert Relationship.objects.get(contact=claire).strength == 5
        page.goto("/network/mine/")
        assert both_widths(page, "My network", prefix="net-a-") == []

    with signed_in(browser, live_server, bruno, width=375) as context:
        page = context.new_page()
        page.goto("/network/")
        page.fill("#id_q", "claire")
        page.locator(".network-search button.primary").click()
        hits = page.locator("#network-hits")
        hits.wait_for()
        assert "Known by Alice Durand" in hits.inner_text()
        assert both_widths(page, "Who knows someone", prefix="net-a-") == []
        hits.get_by_role("link", name="Groupe Vernier Industrie").click()
        page.wait_for_url("**/network/accounts/*/")
        graph = page.locator("#network-map svg")
        assert graph.is_visible()
        assert "Alice Durand" in graph.inner_html()
        people = page.locator("#network-people").inner_text()
        assert "Inès Roux" in people  # the person is the company's…
        assert people.count("Alice Durand") == 1  # …Alice's private relationship is not shown
        assert "Nobody known at 2 people" in page.locator("#network-gaps").inner_text()
        assert both_widths(page, "Account map", prefix="net-a-") == []

        vcf = tmp_path / "carnet.vcf"
        vcf.write_text(VCF, encoding="utf-8")
        page.goto("/network/imports/new/")
        page.set_input_files("input[name=file]", str(vcf))
        page.get_by_role("button", name="Upload").click()
        page.wait_for_url("**/network/imports/*/")
        page.select_option("select[name=strength]", "3")
        page.get_by_role("button", name="Import", exact=True).click()
        page.wait_for_url("**/network/imports/*/")
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        page.reload()
        assert "2 people created" in page.locator("#import-progress").inner_text()
        assert both_widths(page, "Import", prefix="net-a-") == []
    assert Contact.objects.filter(last_name="Martin", first_name="Hugo").exists()
