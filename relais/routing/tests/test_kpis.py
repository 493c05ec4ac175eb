"""KPI arithmetic on both databases: rates, the median time to open, the network average."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.routing import services
from relais.routing.kpis import kpi_table, network_average
from relais.routing.models import Assignment
from relais.routing.tests.conftest import make_qualified, make_reseller

pytestmark = pytest.mark.django_db


def test_median_time_to_open_and_rates(manager):
    reseller = make_reseller(capacity=50)
    t0 = timezone.now() - timedelta(days=20)
    for n, hours in enumerate((2, 6, 10, None)):
        lead = make_qualified(manager, n)
        services.route_lead(lead_id=lead.pk, now=t0)
        if hours is not None:
            services.assignment_open(lead=lead, reseller=reseller, actor=None)
            Assignment.objects.filter(lead=lead).update(opened_at=t0 + timedelta(hours=hours))
            services.assignee_declare(
                lead=lead, reseller=reseller, to="won" if n == 0 else "in_progress",
                amount=1000, actor=None,
            )  # fmt: skip
    start, end = t0 - timedelta(days=1), timezone.now()
    (kpi,) = kpi_table(start=start, end=end)
    assert kpi.median_open_hours == 6.0
    assert (kpi.received, kpi.opened, kpi.treated, kpi.won) == (4, 3, 3, 1)
    assert (kpi.open_rate, kpi.closure_rate) == (0.75, 0.25)
    assert network_average([kpi]).median_open_hours == 6.0
