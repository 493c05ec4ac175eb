"""The manager's dashboard and map in a browser: the charts render without a console error, a
filter redraws the figures through htmx and puts itself in the address, a figure and a
département open their leads; both pages at 1366 and 375 px pass axe-core and fit (screenshots
in RELAIS_SCREENSHOTS, default /tmp/shots)."""

from __future__ import annotations

import pytest

from relais.leads.services import lead_submit
from tests.browser.pages import both_widths, signed_in
from tests.browser.test_accessibility import assert_none

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leads():
    for n, postcode in enumerate(("69003", "69003", "69007", "75011", "13001")):
        lead_submit(
            data={"last_name": f"D{n}", "phone": f"06123456{n:02d}", "postcode": postcode},
            channel="staff",
        )


def test_the_dashboard_filters_by_htmx_and_its_figures_open_their_leads(
    browser, live_server, manager, leads
):
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/dashboard/")
        assert (
            page.locator("#dashboard-figures svg.chart").count() == 3
        )  # leads by channel, year on year, funnel
        funnel = page.locator("#chart-funnel tbody tr").first.locator("td")
        assert funnel.text_content() == "5"
        assert_none(both_widths(page, "Dashboard", prefix="dashboards-"))

        page.select_option("select[name=departement]", "69")
        page.wait_for_url("**departement=69**")
        page.wait_for_function(
            "document.querySelector('#chart-funnel tbody td').textContent === '3'"
        )
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        page.locator("#chart-funnel details summary").click()
        page.locator("#chart-funnel tbody td a").first.click()
        page.wait_for_url("**/leads/?**departement=69**")
        assert page.locator("table tbody tr").count() == 3
        # A région's figures open their rows too (the lead list filters by région).
        page.goto("/dashboard/?region=Auvergne-Rh%C3%B4ne-Alpes")
        assert page.locator("#chart-funnel tbody td").first.text_content() == "3"
        page.locator("#chart-funnel details summary").click()
        page.locator("#chart-funnel tbody td a").first.click()
        page.wait_for_url("**/leads/?**region=**")
        assert page.locator("table tbody tr").count() == 3
        assert errors == []


def test_the_map_shows_each_departements_figure_and_opens_its_leads(
    browser, live_server, manager, leads
):
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/dashboard/map/?measure=leads")
        assert page.locator("svg.map path").count() == 101
        rhone = page.locator('svg.map path[data-code="69"]')
        assert rhone.locator("title").text_content() == "69 Rhône: 3"
        rhone.hover()
        assert_none(both_widths(page, "Map", prefix="dashboards-"))
        legend = page.locator(".map-legend li").all_text_contents()
        assert not any("." in text or "," in text for text in legend), legend  # whole counts
        page.locator('svg.map path[data-code="69"]').click()
        page.wait_for_url("**/leads/?**departement=69**")
        assert page.locator("table tbody tr").count() == 3
        page.go_back()
        page.select_option("select[name=measure]", "resellers")
        page.wait_for_url("**measure=resellers**")
        page.wait_for_function(
            "document.querySelector('svg.map path[data-code=\"69\"] title')"
            ".textContent === '69 Rhône: 0'"
        )
        # The resellers measure's rows are the active resellers placed there: the partner list.
        page.locator('svg.map path[data-code="69"]').click()
        page.wait_for_url("**/partners/?**departement=69**")
        assert errors == []
