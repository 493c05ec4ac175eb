"""``/api/v1/kpis``: the KPI snapshot the pages show — the network's and every reseller's for
managers, a reseller's own row beside the network's average, nobody else's."""

import pytest
from django.core.cache import cache

from relais.routing import services
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(manager):
    cache.clear()  # the snapshot is shared: another test's must not answer
    reseller, other = make_reseller(capacity=50), make_reseller(capacity=50)
    for n in range(3):
        services.lead_route(lead_id=make_qualified(manager, n).pk)
    return reseller, other


def test_a_manager_reads_the_network_and_every_reseller(api_client, manager, routed):
    api = api_client(manager)
    network = api.get("/api/v1/kpis").json()
    rows = api.get("/api/v1/kpis/resellers").json()

    assert network["resellers"] == 2
    assert network["network"]["received"] == 1.5  # 3 leads, 2 resellers: a mean each
    assert network["period"] == "12m"
    assert rows["count"] == 2
    assert sorted(r["reseller_id"] for r in rows["items"]) == sorted(p.pk for p in routed)
    assert sum(r["received"] for r in rows["items"]) == 3


def test_a_reseller_reads_its_own_row_and_the_average_never_the_table(api_client, routed):
    reseller, other = routed
    api = api_client(partner_user(reseller))
    mine = api.get("/api/v1/kpis/me").json()

    assert mine["mine"]["reseller_id"] == reseller.pk
    assert mine["network"]["reseller_id"] is None
    assert str(other.pk) not in str(mine["mine"]["reseller_id"])
    assert api.get("/api/v1/kpis/resellers").status_code == 403
    assert api.get("/api/v1/kpis").status_code == 403


def test_an_introducer_has_no_kpis(api_client, routed):
    api = api_client(partner_user(PartnerFactory()))
    response = api.get("/api/v1/kpis/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
