import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_the_network(client, manager):
    covered = PartnerFactory(reseller=True)
    covered.served_departements.set(["69", "01"])
    PartnerFactory(reseller=True, status="paused").served_departements.set(["75"])
    PartnerFactory.create_batch(2)
    PartnerFactory(status="candidate")
    client.force_login(manager)
    summary = client.get("/dashboard/").context["summary"]
    assert summary.active_resellers == 1
    assert summary.active_introducers == 2
    assert summary.candidates == 1
    assert (summary.departements_covered, summary.departements_total) == (2, 101)


def test_dashboard_query_count_does_not_grow_with_the_network(client, manager):
    client.force_login(manager)
    with CaptureQueriesContext(connection) as small:
        client.get("/dashboard/")
    for _ in range(20):
        PartnerFactory(reseller=True).served_departements.set(["13"])
    with CaptureQueriesContext(connection) as large:
        client.get("/dashboard/")
    assert len(large) == len(small)
