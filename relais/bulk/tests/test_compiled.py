"""A compiled read gives what its queryset gives, reads the rows anew each call, and is built
once per arguments."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import QuerySet, Sum

from relais.bulk import compiled
from relais.leads.models import LeadDay

pytestmark = pytest.mark.django_db

built: list[date] = []


def _won_since(since: date) -> QuerySet[LeadDay, tuple[str, int, Decimal]]:
    built.append(since)
    return (
        LeadDay.objects.filter(day__gt=since)
        .values("status")
        .annotate(n=Sum("leads"), won=Sum("won_amount"))
        .values_list("status", "n", "won")
        .order_by("status")
    )


def test_rows_are_the_querysets_with_its_conversions():
    LeadDay.objects.create(day=date(2026, 3, 2), status="won", leads=2, won_amount="1200.50")
    LeadDay.objects.create(day=date(2026, 3, 3), status="won", leads=1, won_amount="99.49")
    LeadDay.objects.create(day=date(2026, 3, 3), status="lost", leads=4)
    LeadDay.objects.create(day=date(2025, 1, 1), status="won", leads=9, won_amount="5")

    rows = compiled.rows(_won_since, date(2026, 1, 1))

    assert rows == list(_won_since(date(2026, 1, 1)))
    assert rows == [("lost", 4, Decimal("0.00")), ("won", 3, Decimal("1299.99"))]
    assert all(type(won) is Decimal for _status, _n, won in rows)  # SQLite sums come as float


def test_each_call_reads_the_rows_as_they_are_now_from_a_statement_built_once():
    since = date(2020, 5, 17)
    built.clear()
    assert compiled.rows(_won_since, since) == []
    LeadDay.objects.create(day=date(2026, 3, 2), status="won", leads=2, won_amount="10")
    assert compiled.rows(_won_since, since) == [("won", 2, Decimal("10.00"))]
    LeadDay.objects.create(day=date(2026, 3, 3), status="won", leads=1, won_amount="5")
    assert compiled.rows(_won_since, since) == [("won", 3, Decimal("15.00"))]
    assert built == [since]

    assert compiled.rows(_won_since, date(2026, 3, 2)) == [("won", 1, Decimal("5.00"))]
    assert built == [since, date(2026, 3, 2)]  # other arguments: another statement
