"""Each demo role logs in through the real pages and sees its home; nothing overflows a phone."""

import re

import pytest
from django.core import mail

from relais.accounts.choices import Role
from relais.testing.factories import PASSWORD, PartnerFactory, UserFactory, partner_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def assert_fits_the_screen(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def staff_login(page, email):
    page.goto("/login/")
    assert_fits_the_screen(page)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")


@pytest.mark.parametrize(
    ("role", "heading", "menu_entry"),
    [
        (Role.ADMIN, "Tableau de bord", "Paramètres"),
        (Role.MANAGER, "Tableau de bord", "Partenaires"),
        (Role.SALESPERSON, "Tableau de bord", "Sécurité"),
    ],
)
def test_staff_logs_in_and_sees_the_dashboard(page, role, heading, menu_entry):
    user = UserFactory(role=role)
    staff_login(page, user.email)
    page.wait_for_url("**/dashboard/")
    assert page.title().startswith(heading)
    assert user.first_name in page.locator("h1").inner_text()  # the home greets the person
    page.click(".menu-button")  # on a phone the menu opens from its button
    assert page.locator("nav.menu").get_by_text(menu_entry).is_visible()
    assert_fits_the_screen(page)


@pytest.mark.parametrize("reseller", [True, False])
def test_partner_logs_in_by_magic_link_and_sees_the_portal(page, reseller, settings):
    partner = PartnerFactory(reseller=reseller)
    user = partner_user(partner)
    page.goto("/login/")
    page.click("a[href='/login/link/']")
    assert_fits_the_screen(page)
    page.fill("input[name=email]", user.email)
    page.click("button.primary")
    page.wait_for_selector("text=Vérifiez vos e-mails")
    link = re.search(r"https?://\S+/login/link/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.click("button.primary")
    page.wait_for_url("**/portal/")
    assert user.first_name in page.locator("h1").inner_text()  # the person, not the company
    assert_fits_the_screen(page)


def test_the_partner_list_fits_a_phone(page):
    PartnerFactory.create_batch(5, reseller=True)
    staff_login(page, UserFactory(role=Role.MANAGER).email)
    page.wait_for_url("**/dashboard/")
    page.goto("/partners/")
    assert page.locator("tbody tr").count() == 5
    assert_fits_the_screen(page)


def test_the_language_switch_shows_english(page):
    page.goto("/login/")
    assert page.locator("h1").inner_text() == "Connexion"
    page.click("button[value=en]")
    page.wait_for_selector("h1:text('Log in')")
    page.click("button[value=fr]")
    page.wait_for_selector("h1:text('Connexion')")
