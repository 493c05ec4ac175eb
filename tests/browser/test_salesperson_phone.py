"""A salesperson's main task, from a phone: log in, follow the home's "waiting for you" to the
lead, call the prospect, and report the sale with its amount."""

from decimal import Decimal

import pytest

from relais.accounts.choices import Role
from relais.leads.models import Lead
from relais.routing import services as routing_services
from relais.routing.models import SalesTerritory
from relais.routing.tests.conftest import make_qualified
from relais.testing.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def fits(phone):
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, (
        phone.url
    )


def test_a_salesperson_works_the_lead_waiting_for_them_on_a_phone(browser, live_server, manager):
    seller = UserFactory(role=Role.SALESPERSON, first_name="Sophie")
    SalesTerritory.objects.create(user=seller).departements.set(["69"])
    lead = make_qualified(manager, 42)
    routing_services.assignment_create(
        lead=lead, actor=manager, reason="Client historique", salesperson=seller
    )
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="fr-FR")
    phone = context.new_page()
    phone.goto("/login/")
    phone.fill("input[name=email]", seller.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button.primary")
    phone.wait_for_url("**/dashboard/")
    assert "Sophie" in phone.locator("h1").inner_text()
    fits(phone)

    phone.locator("#todo-waiting a[href='/portal/inbox/']").click()  # the home says what waits
    phone.wait_for_url("**/portal/inbox/")
    card = phone.locator(f"#lead-{lead.pk}")
    card.locator("a", has_text="P42").click()
    phone.wait_for_url(f"**/portal/inbox/{lead.pk}/")
    call = phone.locator("a[href^='tel:']")
    assert call.is_visible()
    assert call.get_attribute("href") == "tel:+33611000042"
    fits(phone)

    phone.goto("/portal/inbox/")
    card = phone.locator(f"#lead-{lead.pk}")
    card.locator("summary", has_text="Vendu").click()
    card.locator("input[name=amount]").fill("3200")
    card.locator("button", has_text="Confirmer : vendu").click()
    phone.locator(f"#lead-{lead.pk}[data-status=won]").wait_for()
    fits(phone)
    context.close()

    won = Lead.objects.get(pk=lead.pk)
    assert (won.status, won.won_amount) == ("won", Decimal("3200"))
