"""After a bulk action or a hold, the lines page goes back where the manager was, but only to a
page of this site: an off-site ``next`` (an open redirect) falls back to the lines page."""

import pytest

from relais.commissions.tests.conftest import payable_line
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
OFF_SITE = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    "https:/evil.example",
]


@pytest.fixture
def line(client, manager):
    client.force_login(manager)
    return payable_line(PartnerFactory(), "10.00")


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_falls_back_to_the_lines_page(client, line, target):
    bulk = client.post(
        "/commissions/lines/bulk/", {"line": [line.pk], "action": "approve", "next": target}
    )
    hold = client.post(f"/commissions/lines/{line.pk}/hold/", {"reason": "x", "next": target})
    assert (bulk.status_code, bulk["Location"]) == (302, "/commissions/lines/")
    assert (hold.status_code, hold["Location"]) == (302, "/commissions/lines/")


def test_a_next_on_this_site_is_followed(client, line):
    back = "/commissions/lines/?status=payable&page=2"
    response = client.post(f"/commissions/lines/{line.pk}/hold/", {"reason": "x", "next": back})
    assert response["Location"] == back
    line.refresh_from_db()
    assert line.hold_reason == "x"


def test_without_next_the_lines_page(client, line):
    response = client.post("/commissions/lines/bulk/", {"line": [line.pk], "action": "approve"})
    assert response["Location"] == "/commissions/lines/"
