"""Numbers no database stores and bodies that are not objects: a 422 naming what is wrong, never
a 500 (both found by schemathesis on SQLite)."""

import pytest

from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63  # one past the largest 64-bit id


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/leads?partner={TOO_BIG}",
        f"/api/v1/leads?partner=-{TOO_BIG * 10**6}",
        f"/api/v1/leads/{TOO_BIG}",
        f"/api/v1/partners/{TOO_BIG}",
    ],
)
def test_an_id_past_64_bits_is_refused_as_422(api_client, manager, url):
    response = api_client(manager).get(url)
    assert response.status_code == 422
    assert response.json()["error"]["code"]


def test_the_largest_id_is_simply_not_found(api_client, manager):
    assert api_client(manager).get(f"/api/v1/partners/{TOO_BIG - 1}").status_code == 404


def test_a_patch_whose_body_is_not_an_object_changes_nothing_and_says_so(api_client, manager):
    partner = PartnerFactory(city="Lyon")
    response = api_client(manager).patch(
        f"/api/v1/partners/{partner.pk}", "[null, null]", content_type="application/json"
    )
    assert response.status_code == 422
    partner.refresh_from_db()
    assert partner.city == "Lyon"
