"""``__any_of``: the rows ``__in`` finds, with the list sent as one array on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.leads import services
from relais.leads.models import Lead, LeadEvent
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _leads(count: int) -> list[Lead]:
    partner = PartnerFactory()
    return [
        services.lead_submit(
            data={"last_name": f"P{n}", "email": f"p{n}@orange.fr", "postcode": "69003"},
            channel="api",
            partner=partner,
        )
        for n in range(count)
    ]


def test_it_finds_what_in_finds():
    leads = _leads(5)
    wanted = [leads[0].pk, leads[3].pk, leads[3].pk, None, 10**12]
    found = set(Lead.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))
    assert found == set(Lead.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {leads[0].pk, leads[3].pk}
    assert not Lead.objects.filter(pk__any_of=[]).exists()
    assert Lead.objects.exclude(pk__any_of=[leads[1].pk]).count() == 4
    statuses = [leads[2].status, "no such status"]
    assert Lead.objects.filter(status__any_of=statuses).count() == 5  # text values too


def test_a_long_list_is_one_parameter_on_postgresql():
    (lead,) = _leads(1)
    ids = [lead.pk, *range(10**9, 10**9 + 3999)]
    with CaptureQueriesContext(connection) as queries:
        assert LeadEvent.objects.filter(lead_id__any_of=ids).count() == 1  # "submitted"
        assert Lead.objects.filter(pk__any_of=ids).count() == 1
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
        assert sql.count(",") < 4000 + 10  # the array's commas, no placeholder list
    else:
        assert " IN (" in sql
