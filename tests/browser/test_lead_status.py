"""A manager moves a lead, on a phone, from qualified to won: at each step the lead's page offers
only the moves possible from where the lead is, each asking only what it needs."""

import pytest

from relais.leads import services
from relais.leads.models import Lead
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def manager_phone(browser, live_server, client):
    manager = UserFactory(role="manager")
    client.force_login(manager)
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="fr-FR")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    yield page
    context.close()


def _offered(page):
    """The moves the page offers, by their target status."""
    return sorted(
        page.locator("#lead-moves [data-move]").evaluate_all(
            "nodes => nodes.map(n => n.dataset.move)"
        )
    )


def _apply(page, click):
    """Submit a move and wait for the lead's page it redirects to."""
    url = page.url
    with (
        page.expect_response(lambda r: r.request.method == "POST") as posted,
        page.expect_response(lambda r: r.request.method == "GET" and r.url == url),
    ):
        click()
    assert posted.value.status == 302
    page.wait_for_load_state()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_manager_takes_a_lead_from_qualified_to_won_on_a_phone(manager_phone):
    page = manager_phone
    reseller = PartnerFactory(reseller=True, company_name="Isolation Sud")
    reseller.served_departements.add("31")
    lead = services.lead_submit(
        data={"last_name": "Famille Roux", "phone": "06 70 80 90 10", "postcode": "31000"},
        channel="portal",
        partner=PartnerFactory(),
    )
    Lead.objects.filter(pk=lead.pk).update(status="qualified")

    page.goto(f"/leads/{lead.pk}/")
    assert _offered(page) == ["rejected"]  # assigned only with an assignee: on the routing page
    assert page.locator("#lead-moves select[name=to]").count() == 0
    _fits(page)
    page.click("#lead-moves a[href$='/assign/']")
    page.select_option("select[name=reseller]", str(reseller.pk))
    page.fill("input[name=reason]", "Connaît le client")
    page.click("button.primary")
    page.wait_for_url(f"**/leads/{lead.pk}/")

    assert _offered(page) == ["opened"]
    _apply(page, lambda: page.click("#lead-moves [data-move=opened] button"))
    assert _offered(page) == ["in_progress", "lost", "won"]
    _apply(page, lambda: page.click("#lead-moves [data-move=in_progress] button"))
    assert _offered(page) == ["lost", "won"]
    _fits(page)

    won = page.locator("#lead-moves details[data-move=won]")
    won.locator("summary").click()
    assert won.locator("input[name=lost_reason], select[name=rejection_reason]").count() == 0
    won.locator("input[name=amount]").fill("12500.50")
    assert won.locator("input[name=won_date]").input_value()  # today, shown by the date input
    _fits(page)
    _apply(page, won.locator("button[type=submit]").click)

    assert page.locator("#lead-status").inner_text() == "Vendu"
    assert page.locator("#lead-moves [data-move]").count() == 1  # a manager may reopen it
    assert "Attribué → Ouvert" in page.locator("#lead-timeline").inner_text()
    lead.refresh_from_db()
    assert (lead.status, str(lead.won_amount), lead.assigned_reseller) == (
        "won",
        "12500.50",
        reseller,
    )
    _fits(page)
