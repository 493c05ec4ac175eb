"""The commission months: earned and paid per month, the dashboard's chart source, kept by the
lines' own events (idempotent: an event handed twice counts once) and rebuilt from the lines."""

from datetime import date
from decimal import Decimal

import pytest

from relais.commissions.counters import commission_months_rebuild, on_lines_moved
from relais.commissions.events import CommissionLinesMoved
from relais.commissions.models import CommissionLine, CommissionMonth
from relais.commissions.services import runs
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.core import outbox

pytestmark = pytest.mark.django_db
TODAY = date.today()
MONTH = TODAY.replace(day=1)


def _months() -> dict[tuple[date, str], tuple[Decimal, Decimal]]:
    return {
        (m.month, m.departement): (m.earned, m.paid)
        for m in CommissionMonth.objects.filter(partner_kind="introducer")
    }


def test_paying_a_run_counts_its_lines_paid_in_the_month_once(manager):
    first, second = signed_partner(mandate=False), signed_partner(mandate=False)
    payable_line(first, "100.00")
    payable_line(second, "200.00", day=date(TODAY.year - 1, 3, 15))  # earned last year
    commission_months_rebuild()  # the lines were written in bulk, past the services
    place = first.departement_id or ""
    assert _months()[(MONTH, place)] == (Decimal("100.00"), Decimal(0))
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    runs.run_mark_paid(run=run, actor=manager)
    assert _months()[(MONTH, place)][1] == 0  # not before the worker hands the event on
    outbox.deliver_all()
    months = _months()
    assert sum(paid for (month, _p), (_e, paid) in months.items() if month == MONTH) == 300
    assert months[(date(TODAY.year - 1, 3, 1), second.departement_id or "")] == (
        Decimal("200.00"),
        Decimal(0),
    )
    # Handed again (a worker killed before its ack): the same figures.
    ids = list(CommissionLine.objects.values_list("pk", flat=True))
    on_lines_moved(CommissionLinesMoved(ids, "payable", "paid"))
    assert _months() == months
    commission_months_rebuild()
    assert _months() == months


def test_the_dashboards_commission_chart_reads_the_months(client, manager):
    partner = signed_partner(mandate=False)
    payable_line(partner, "120.00")
    commission_months_rebuild()
    client.force_login(manager)
    charts = {c.key: c for c in client.get("/dashboard/").context["charts"]}
    earned, paid = charts["commissions"].series
    assert (earned.values[-1], paid.values[-1]) == (Decimal("120.00"), 0)
    kind = client.get("/dashboard/?partner_kind=reseller").context["charts"]
    assert {c.key: c for c in kind}["commissions"].series[0].values[-1] == 0
