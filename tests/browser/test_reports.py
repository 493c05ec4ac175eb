"""Scheduled reports in a browser: a manager fills the form (checkboxes, outside addresses),
saves, sees the recipients' states; the list and the form pass axe-core and fit at 1366 and
375 px (screenshots in RELAIS_SCREENSHOTS)."""

from __future__ import annotations

import pytest

from relais.reporting.models import ReportSubscription
from tests.browser.pages import both_widths, signed_in
from tests.browser.test_accessibility import assert_none

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_schedules_a_report_for_a_colleague_and_an_outside_address(
    browser, live_server, manager
):
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/dashboard/reports/")
        page.get_by_role("link", name="New scheduled report").click()
        page.fill("#id_name", "Bilan Bretagne")
        page.select_option("#id_frequency", "weekly")
        page.fill("#id_filters", "region=Bretagne")
        page.fill("#id_subject", "Bretagne, la semaine")
        page.fill("#id_message", "Bonjour, le bilan de la semaine.")
        page.check(f"input[name=users][value='{manager.pk}']")
        page.fill("#id_outside", "expert@example.fr")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/dashboard/reports/*/")
        recipients = page.locator("#report-recipients").text_content() or ""
        assert "waiting for confirmation" in recipients
        assert "receives it" in recipients
        assert ReportSubscription.objects.get().filters == "region=Bretagne"
        assert_none(both_widths(page, "Scheduled report", prefix="reports-"))
        page.goto("/dashboard/reports/")
        assert "Bilan Bretagne" in (page.locator("#report-list").text_content() or "")
        assert_none(both_widths(page, "Scheduled reports", prefix="reports-"))
        assert errors == []
