"""On a phone, a reseller asks to take one more département (found with the picker's filter) and
a lower capacity; a manager finds the request from the home page and approves it."""

import pytest
from django.test import Client

from relais.routing.models import CoverageRequest
from relais.routing.selectors import reseller_profile_of
from relais.routing.tests.conftest import make_reseller
from tests.browser.test_accessibility import assert_none, audit  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def phone_as(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="fr-FR")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, context.new_page()


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_reseller_asks_for_a_departement_and_a_manager_approves_it(browser, live_server, manager):
    reseller = make_reseller(("69",), capacity=20, with_user=True)
    context, phone = phone_as(browser, live_server, reseller.members.get().user)
    phone.goto("/portal/coverage/")
    picker = phone.locator("[data-picker]")
    assert picker.locator("[data-picker-option]").count() == 104
    assert fits(phone)
    phone.fill("[data-picker-filter]", "gironde")  # case and accents ignored
    visible = picker.locator("[data-picker-option]:visible")
    assert visible.count() == 1
    assert "33" in visible.inner_text()
    visible.locator("input").check()
    assert "2" in picker.locator("[data-picker-count]").inner_text()  # 69 and 33 ticked
    phone.fill("[data-picker-filter]", "bretagne")  # a region shows all its départements
    assert picker.locator("[data-picker-option]:visible").count() == 4
    phone.fill("input[name=monthly_capacity]", "12")
    phone.locator("form.card button[type=submit]").click()
    phone.wait_for_selector("#coverage-pending")
    assert fits(phone)
    assert reseller_profile_of(reseller).departements == ["69"]  # until a manager approves
    context.close()

    context, phone = phone_as(browser, live_server, manager)
    phone.goto("/")
    phone.locator("#todo-coverage a").click()
    phone.wait_for_url("**/routing/coverage-requests/")
    wish = CoverageRequest.objects.get()
    card = phone.locator(f"#request-{wish.pk}")
    assert "33" in card.inner_text()
    assert fits(phone)
    card.locator("button.primary").click()
    phone.wait_for_selector(".msg-success")
    context.close()

    profile = reseller_profile_of(reseller)
    assert (profile.departements, profile.monthly_capacity) == (["33", "69"], 12)
    assert CoverageRequest.objects.get().status == "approved"


def test_the_menu_leads_a_manager_to_the_requests(browser, live_server, manager):
    context, phone = phone_as(browser, live_server, manager)
    phone.goto("/")
    phone.click(".menu-button")
    phone.locator("nav.menu a[href='/routing/coverage-requests/']").click()
    phone.wait_for_url("**/routing/coverage-requests/")
    context.close()


def test_the_coverage_pages_pass_axe(audit, manager):  # noqa: F811 - the fixture
    from relais.routing.services import coverage_request_submit

    reseller = make_reseller(("69",), with_user=True)
    coverage_request_submit(
        partner=reseller,
        departements=["69", "33"],
        categories=[],
        monthly_capacity=12,
        actor=None,
    )
    found = audit("reseller", reseller.members.get().user, ["/portal/coverage/", "/portal/"])
    found += audit("manager", manager, ["/routing/coverage-requests/", "/dashboard/"])
    assert_none(found)
