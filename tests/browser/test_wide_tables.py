"""Wide tables and big figures: the KPI table shows all its columns at 1366 px and scrolls
inside its frame on a phone (never the page); a large amount stays inside its card."""

import pytest
from django.core.management import call_command
from django.test import Client

from relais.accounts.models import User
from relais.commissions.tests.conftest import payable_line
from relais.demo.network import DEMO_DOMAIN
from relais.testing.factories import PartnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = """(selector) => [...document.querySelectorAll(selector)].map(
  (e) => e.scrollWidth - e.clientWidth)"""


@pytest.fixture
def open_at(browser, live_server):
    contexts = []

    def make(user, width):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=live_server.url, locale="fr-FR"
        )
        contexts.append(context)
        cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
        context.add_cookies([{**cookie, "url": live_server.url}])
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_the_kpi_table_shows_every_column_at_1366_and_scrolls_in_its_frame_on_a_phone(open_at):
    call_command("seed_demo", "--size", "small", "--leads", "600", verbosity=0)
    manager = User.objects.get(email=f"manager@{DEMO_DOMAIN}")
    desktop = open_at(manager, 1366)
    desktop.goto("/routing/kpis/")
    assert desktop.locator("#kpis tbody tr").count() > 10
    assert desktop.evaluate(OVERFLOW, ".table-wrap") == [0]  # "Refusés" in view, not cut
    last = desktop.locator("#kpis thead th").last.bounding_box()
    assert last is not None
    assert last["x"] + last["width"] <= 1366
    phone = open_at(manager, 375)
    phone.goto("/routing/kpis/")
    assert phone.evaluate(OVERFLOW, ".table-wrap")[0] > 0  # it scrolls, inside its frame
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_large_amount_stays_inside_its_card(open_at, manager):
    payable_line(PartnerFactory(), "12345678.90")
    for width in (375, 1366):
        page = open_at(manager, width)
        page.goto("/commissions/")
        assert "12\u202f345\u202f678,90\u00a0€" in page.locator(".cards").inner_text()
        assert set(page.evaluate(OVERFLOW, ".stat .value")) == {0}, width
        assert set(page.evaluate(OVERFLOW, ".stat")) == {0}, width
