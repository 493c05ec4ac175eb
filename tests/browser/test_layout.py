"""The layout on a phone: the menu folds behind one button, required fields show it, a long
form keeps its submit button on screen; on a wide screen the menu stays in view."""

import pytest
from django.test import Client

from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(user, viewport)`` → a page logged in as that user."""
    contexts = []

    def make(user, viewport):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="fr-FR")
        contexts.append(context)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_on_a_phone_the_menu_opens_from_one_button(open_as):
    page = open_as(UserFactory(), PHONE)
    page.goto("/leads/")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 80  # one line, not four: the page starts at once
    partners = page.locator("nav.menu a", has_text="Partenaires")
    assert not partners.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert partners.is_visible()
    assert page.locator("#site-menu button", has_text="Déconnexion").is_visible()
    page.keyboard.press("Escape")  # the browser's own popover: Escape and a tap outside close it
    assert not partners.is_visible()
    page.get_by_role("button", name="Menu").click()
    partners.click()
    page.wait_for_url("**/partners/")


def test_on_a_wide_screen_the_menu_is_in_view_without_a_button(open_as):
    page = open_as(UserFactory(), DESKTOP)
    page.goto("/leads/")
    assert not page.locator(".menu-button").is_visible()
    assert page.locator("nav.menu a", has_text="Partenaires").is_visible()
    logout = page.locator("header button", has_text="Déconnexion").bounding_box()
    brand = page.locator("header .brand").bounding_box()
    assert abs(logout["y"] + logout["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 8


def test_a_long_form_marks_required_fields_and_keeps_its_button_in_reach(open_as):
    page = open_as(partner_user(PartnerFactory()), PHONE)
    page.goto("/portal/leads/new/")
    marker = "el => getComputedStyle(el, '::after').content"
    assert page.locator("label[for=id_postcode]").evaluate(marker) == '" *"'
    assert page.locator("label[for=id_email]").evaluate(marker) in ("none", "normal")
    form = page.locator("main form").bounding_box()
    assert form["y"] + form["height"] > PHONE["height"]  # the form runs past the screen…
    button = page.locator("main form button[type=submit]")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # …its button is on it, at the bottom
    button.click()  # and it works from there: the errors show
    page.wait_for_selector(".field-error")
