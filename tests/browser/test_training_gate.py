"""Required before working, as the people see it: a reseller missing a required module finds it
under "To do now" on its portal home, on a phone, with the way to it; the manager sees it on the partner's
page. Both pages pass axe-core and fit the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.testing.factories import PartnerFactory, partner_user
from relais.training.choices import ModuleAudience
from relais.training.models import Module
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_missing_module_is_the_first_thing_to_do_and_the_manager_sees_it(
    browser, live_server, manager
):
    Module.objects.create(
        title="Traiter ses leads dans Relais",
        published=True,
        required_for=ModuleAudience.RESELLER,
        required_since=timezone.now() - timedelta(days=400),
    )
    reseller = PartnerFactory(reseller=True, company_name="Habitat Plus")
    with signed_in(browser, live_server, partner_user(reseller), width=375) as context:
        page = context.new_page()
        page.goto("/portal/")
        # under "To do now", after the documents to sign, before the leads waiting
        todo = page.locator("#to-do #todo-training")
        assert "Traiter ses leads dans Relais" in todo.inner_text()
        assert "no new lead" in todo.inner_text()
        assert both_widths(page, "gate portal home", widths=(375, 1366)) == []
        todo.get_by_role("link", name="Go to my training").click()
        page.wait_for_url("**/portal/training/")
        assert "Traiter ses leads dans Relais" in page.locator("main").inner_text()
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto(f"/partners/{reseller.pk}/")
        missing = page.locator("#training-missing")
        assert "Traiter ses leads dans Relais" in missing.inner_text()
        assert "no new lead is routed" in missing.inner_text()
        assert both_widths(page, "gate partner page") == []
