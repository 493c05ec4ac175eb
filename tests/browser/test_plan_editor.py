"""A manager writes a commission plan in the product — a draft, its rules (a refusal names the
field), a simulation, the activation — then changes it from a date through a new version; the
editor's pages pass axe-core at 1366 and 375 px. With RELAIS_SCREENSHOTS set, each page checked
is saved there."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.commissions.models import Plan
from relais.testing.factories import UserFactory
from tests.browser.pages import signed_in
from tests.browser.test_accessibility import assert_none, check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    with signed_in(browser, live_server, UserFactory()) as context:  # a network manager
        yield context.new_page()


def both_widths(page, where):
    found = []
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()  # the page marks its scrolling tables focusable as it loads
        found += check(page, f"plan editor {where} at {width}px")
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{where} at {width}px is {overflow}px too wide"
    page.set_viewport_size({"width": 1366, "height": 900})
    return found


def test_a_manager_writes_simulates_activates_then_versions_a_plan(page):
    found = []
    page.goto("/commissions/")
    page.locator("nav.menu a", has_text="Commission plans").click()
    page.wait_for_url("**/commissions/plans/")
    page.get_by_role("link", name="New plan").click()
    page.get_by_label("Name").fill("Programme 2027")
    page.get_by_role("button", name="Create the draft").click()
    plan = Plan.objects.get(name="Programme 2027")
    page.wait_for_url(f"**/commissions/plans/{plan.pk}/")

    page.get_by_role("link", name="Add a rule").first.click()
    found += both_widths(page, "rule form")
    page.get_by_label("Name").fill("Apport gagné")
    page.get_by_label("Trigger").select_option(label="Deal won")
    page.get_by_label("Formula").select_option(label="Percentage of the amount excl. VAT")
    page.get_by_label("Valid from").fill("2026-01-01")
    page.get_by_role("button", name="Save the rule").click()
    # Refused, the field named beside it, nothing written.
    error = page.locator(".field.has-error", has=page.get_by_label("Rate (%)"))
    assert "A rate is required for a percentage." in error.inner_text()
    assert not plan.rules.exists()
    page.get_by_label("Rate (%)").fill("5")
    page.get_by_role("button", name="Save the rule").click()
    page.wait_for_url(f"**/commissions/plans/{plan.pk}/")
    assert "Apport gagné (v1)" in page.locator("#rules").inner_text()

    page.get_by_label("From").fill("2026-01-01")
    page.get_by_label("To").fill("2026-06-30")
    page.get_by_role("button", name="Simulate", exact=True).click()
    assert "What this plan would have paid" in page.locator("#simulation").inner_text()
    found += both_widths(page, "draft plan")
    page.get_by_role("button", name="Activate").click()
    assert page.locator("h1 .badge").inner_text() == "Active"

    starts = timezone.localdate() + timedelta(days=7)
    page.get_by_label("New version from").fill(starts.isoformat())
    page.get_by_role("button", name="Draft the new version").click()
    draft = Plan.objects.get(replaces=plan)
    page.wait_for_url(f"**/commissions/plans/{draft.pk}/")
    assert "New version of Programme 2027" in page.locator("#version-of").inner_text()
    page.locator("#rules").get_by_role("link", name="Edit").click()
    assert page.get_by_label("Valid from").is_disabled()  # the version's date
    page.get_by_label("Rate (%)").fill("6")
    page.get_by_role("button", name="Save the rule").click()
    page.wait_for_url(f"**/commissions/plans/{draft.pk}/")
    page.get_by_role("button", name="Activate this version").click()
    page.wait_for_url(f"**/commissions/plans/{plan.pk}/")
    rules = page.locator("#rules").inner_text()
    assert "Apport gagné (v1)" in rules
    assert "Apport gagné (v2)" in rules
    assert sorted(plan.rules.values_list("version", "rate")) == [(1, Decimal(5)), (2, Decimal(6))]
    found += both_widths(page, "active plan")
    page.goto("/commissions/plans/")
    found += both_widths(page, "plan list")
    assert_none(found)
