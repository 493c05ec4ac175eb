"""A reseller works a lead from a phone: opens it from the inbox, marks it won with an amount."""

from decimal import Decimal

import pytest

from relais.core.outbox import deliver_all
from relais.leads.models import Lead
from relais.routing.models import Assignment
from relais.routing.tests.conftest import make_qualified, make_reseller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def test_a_reseller_opens_a_lead_and_marks_it_won_on_a_phone(browser, live_server, client, manager):
    reseller = make_reseller(with_user=True)
    lead = make_qualified(manager, 7)
    other = make_qualified(manager, 8)
    deliver_all()  # the worker routes both, by the LeadQualified event
    assert Lead.objects.get(pk=lead.pk).assigned_reseller == reseller
    client.force_login(reseller.members.get().user)
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="fr-FR")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    phone = context.new_page()
    phone.goto("/portal/inbox/")
    card = phone.locator(f"#lead-{lead.pk}")
    assert card.locator("text=Nouveau").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    card.locator("a", has_text="P7").click()  # first view: the lead is opened
    phone.wait_for_url(f"**/portal/inbox/{lead.pk}/")
    assert phone.locator("a[href^='tel:']").is_visible()
    assert Assignment.objects.get(lead=lead).opened_at is not None

    phone.goto("/portal/inbox/")
    card = phone.locator(f"#lead-{lead.pk}")
    card.locator("summary", has_text="Vendu").click()  # tap 1
    card.locator("input[name=amount]").fill("12500.50")
    card.locator("button", has_text="Confirmer : vendu").click()  # tap 2
    phone.locator(f"#lead-{lead.pk}[data-status=won]").wait_for()
    shown = "".join(phone.locator(f"#lead-{lead.pk}").inner_text().split())
    assert "12500,50" in shown.replace("\u202f", "").replace("\xa0", "")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()

    won = Lead.objects.get(pk=lead.pk)
    assert (won.status, won.won_amount) == ("won", Decimal("12500.50"))
    assert won.won_date is not None
    assert Lead.objects.get(pk=other.pk).status == "assigned"  # the other one untouched
