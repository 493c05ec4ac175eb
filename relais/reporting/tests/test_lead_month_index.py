"""A dashboard filtered by département reads that département's lead months by their index,
not every département's months (the unique index leads with the month)."""

import pytest
from django.db import connection
from django.db.models import Sum

from relais.reporting.dashboard import Scope, lead_months, period_months
from relais.reporting.models import LeadMonth

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's planner picks by the table's statistics"
)
def test_a_departement_filter_reads_the_departement_index():
    # The planner weighs the tables' statistics (``ANALYZE``, which bulk loads run): give it a
    # network's shape, every département each month, so the plan does not hang on test order.
    months = period_months(None)
    LeadMonth.objects.bulk_create(
        LeadMonth(month=month, channel="portal", departement=f"{d:02d}", submitted=1)
        for month in months
        for d in range(1, 96)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    scope = Scope(period_months(None), {"departement": "35"})
    plan = lead_months(scope).values("month", "channel").annotate(n=Sum("submitted")).explain()
    assert "lead_month_departement" in plan
