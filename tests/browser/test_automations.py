"""A manager sets up a welcome automation in a real browser at 375 px — a missing delay is
refused beside its field — switches it off and on, sees what the worker sent, and creates the
monthly digest. The pages pass axe-core and fit at 375 and 1366 px; each is saved in /tmp/shots/
(or RELAIS_SCREENSHOTS)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from relais.engagement.automations import automations_run
from relais.engagement.choices import Topic, Trigger
from relais.engagement.models import Automation, MessageTemplate
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory, UserFactory
from tests.browser.pages import both_widths as at_both_widths
from tests.browser.pages import signed_in
from tests.browser.test_accessibility import assert_none

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    manager = UserFactory(email="manager@example.fr")  # a network manager
    with signed_in(browser, live_server, manager, width=375) as context:
        yield context.new_page()


def both_widths(page, where):
    return at_both_widths(page, where, widths=(375, 1366), prefix="automation-")


def test_a_manager_sets_up_a_welcome_automation_on_a_phone(page):
    MessageTemplate.objects.create(
        name="Bienvenue",
        topic=Topic.NEWS,
        subject_fr="Bienvenue {{ first_name }}",
        body_fr="Bonjour {{ first_name }}, bienvenue dans le réseau.",
    )
    found = []
    page.goto("/engagement/automations/")
    found += both_widths(page, "empty list")
    page.get_by_role("link", name="New automation").click()
    page.wait_for_url("**/engagement/automations/new/")
    page.get_by_label("Name").fill("Bienvenue à J+7")
    page.get_by_label("When").select_option(label="Joined N days ago")
    page.get_by_label("E-mail template").select_option(label="Bienvenue")
    page.get_by_role("button", name="Save the automation").click()
    # Refused, the field named beside it, nothing written.
    error = page.locator(".field.has-error", has=page.get_by_label("Days"))
    assert "Say after how many days." in error.inner_text()
    assert not Automation.objects.exists()
    found += both_widths(page, "form refused")
    page.get_by_label("Days").fill("7")
    page.get_by_role("button", name="Save the automation").click()
    auto = Automation.objects.get()
    page.wait_for_url(f"**/engagement/automations/{auto.pk}/")
    assert (auto.trigger, auto.days, auto.active) == (Trigger.JOINED, 7, True)

    # The worker welcomes a partner who joined 8 days ago; the page lists the send.
    amelie = PartnerFactory(first_name="Amélie")
    Partner.objects.filter(pk=amelie.pk).update(created_at=timezone.now() - timedelta(days=8))
    Automation.objects.filter(pk=auto.pk).update(created_at=timezone.now() - timedelta(days=30))
    automations_run()
    assert [m.subject for m in mail.outbox] == ["Bienvenue Amélie"]
    page.reload()
    assert "Sent" in page.locator("#automation-sends").inner_text()
    assert str(amelie) in page.locator("#automation-sends").inner_text()
    found += both_widths(page, "sends")

    page.goto("/engagement/automations/")
    row = page.locator(f'tr[data-automation="{auto.pk}"]')
    assert "Joined 7 days ago" in row.inner_text()
    row.get_by_role("button", name="Deactivate").click()
    page.wait_for_url("**/engagement/automations/")
    assert not Automation.objects.get(pk=auto.pk).active
    assert "Off" in page.locator(f'tr[data-automation="{auto.pk}"]').inner_text()
    found += both_widths(page, "list")

    page.get_by_role("button", name="Create the monthly digest").click()
    digest = Automation.objects.get(trigger=Trigger.DIGEST)
    page.wait_for_url(f"**/engagement/automations/{digest.pk}/")
    assert "The monthly digest is on" in page.locator(".messages").inner_text()
    assert_none(found)
