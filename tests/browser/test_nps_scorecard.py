"""The customers' NPS where a manager reads the network: the dashboard's monthly chart (a line,
its figures in the table) and the NPS column of the reseller KPI table, at 1366 and 375 px,
passing axe-core and fitting the screen (screenshots in RELAIS_SCREENSHOTS)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.routing import services
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.surveys.answers import answer_record
from relais.surveys.tests.helpers import customer, sent_survey
from tests.browser.pages import both_widths, signed_in
from tests.browser.test_accessibility import assert_none

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answered(manager):
    reseller = make_reseller(("69",))
    for n in range(3):
        lead = make_qualified(manager, n)
        services.lead_route(lead_id=lead.pk, now=timezone.now() - timedelta(days=40))
        services.assignment_open(lead=lead, reseller=reseller, actor=None)
    earlier = timezone.now().replace(day=1) - timedelta(days=35)
    for n, (score, when) in enumerate([(10, None), (9, None), (3, None), (2, earlier)]):
        survey = sent_survey(customer(n, reseller=reseller), at=when)
        answer_record(request_id=survey.pk, score=score, now=when)
    return reseller


def test_a_manager_reads_the_monthly_nps_and_each_resellers(
    browser, live_server, manager, answered
):
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/dashboard/")
        chart = page.locator("#chart-nps")
        assert chart.locator("svg.chart polyline").count() == 2  # the month without answers
        chart.locator("details summary").click()
        cells = chart.locator("tbody td")
        assert cells.last.text_content() == "33"
        assert cells.nth(cells.count() - 2).text_content() == "—"
        assert_none(both_widths(page, "Dashboard NPS", prefix="nps-"))
        page.goto("/routing/kpis/")
        row = page.locator(f'tr[data-reseller="{answered.pk}"] td.added')
        assert row.text_content() == "0 (4 answers)"
        assert_none(both_widths(page, "Reseller KPIs NPS", prefix="nps-"))
        assert errors == []
