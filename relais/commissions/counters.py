"""The commission months (``CommissionMonth``): earned and paid per month, partner kind and
département, recomputed from the lines for the months a written or paid line falls in.

Recomputing a month from its lines (rather than adding deltas) makes the handlers idempotent:
the outbox may hand an event twice, and a month recomputed twice is the same month. The
events (``CommissionLinesCreated``, ``CommissionLinesMoved``) are published by every service
that writes or pays a line, in its transaction; ``commission_months_rebuild`` recomputes all
(the migration's backfill, ``manage.py commission_months_rebuild``, the demo seed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateField, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from relais.commissions.choices import LineStatus
from relais.commissions.events import CommissionLinesCreated, CommissionLinesMoved
from relais.commissions.models import CommissionLine, CommissionMonth


def _first(day: date) -> date:
    return day.replace(day=1)


def _bounds(months: set[date]) -> Q:
    """Lines earned or paid in one of these months."""
    earned, paid = Q(), Q()
    for month in months:
        end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        earned |= Q(earned_on__gte=month, earned_on__lt=end)
        paid |= Q(paid_at__date__gte=month, paid_at__date__lt=end)
    return earned | paid


def _count(
    lines: QuerySet[CommissionLine], months: set[date] | None, model: Any = CommissionMonth
) -> list[CommissionMonth]:
    keys = ("partner__kind", "partner__departement_id")
    earned = (
        lines.annotate(month=TruncMonth("earned_on"))
        .values("month", *keys)
        .annotate(s=Sum("amount"))
        .order_by()
    )
    paid = (
        lines.filter(status=LineStatus.PAID, paid_at__isnull=False)
        .annotate(
            month=TruncMonth(
                "paid_at", tzinfo=timezone.get_default_timezone(), output_field=DateField()
            )
        )
        .values("month", *keys)
        .annotate(s=Sum("amount"))
        .order_by()
    )
    found: dict[tuple[date, str, str], CommissionMonth] = {}
    for column, rows in (("earned", earned), ("paid", paid)):
        for r in rows:
            if months is not None and r["month"] not in months:
                continue  # a line earned in one month and paid in another counts in each
            key = (r["month"], r["partner__kind"], r["partner__departement_id"] or "")
            row = found.setdefault(
                key, model(month=key[0], partner_kind=key[1], departement=key[2])
            )
            setattr(row, column, r["s"] or Decimal(0))
    return list(found.values())


def _replace(months: set[date] | None) -> None:
    lines = CommissionLine.objects.all()
    if months is not None:
        lines = lines.filter(_bounds(months))
    for attempt in range(3):
        try:
            with transaction.atomic():
                rows = CommissionMonth.objects.all()
                (rows.filter(month__in=months) if months is not None else rows).delete()
                CommissionMonth.objects.bulk_create(_count(lines, months), batch_size=1000)
            return
        except IntegrityError:  # another recompute of the same month committed first
            if attempt == 2:
                raise


def commission_months_recompute(*, line_ids: list[int]) -> None:
    """Recompute the months these lines were earned or paid in."""
    months: set[date] = set()
    rows = CommissionLine.objects.filter(pk__in=line_ids).values_list("earned_on", "paid_at")
    for earned_on, paid_at in rows:
        months.add(_first(earned_on))
        if paid_at is not None:
            months.add(_first(timezone.localdate(paid_at)))
    if months:
        _replace(months)


def commission_months_rebuild() -> None:
    _replace(None)


def backfill(line_model: Any, month_model: Any) -> None:
    """The rebuild on a migration's historical models."""
    month_model.objects.all().delete()
    rows = _count(line_model.objects.all(), None, month_model)
    month_model.objects.bulk_create(rows, batch_size=1000)


def on_lines_created(event: CommissionLinesCreated) -> None:
    commission_months_recompute(line_ids=event.line_ids)


def on_lines_moved(event: CommissionLinesMoved) -> None:
    if LineStatus.PAID in (event.to_status, event.from_status):
        commission_months_recompute(line_ids=event.line_ids)
