"""The KPI months (``KpiMonth``): each assignee's counts per month of assignment, recomputed
from the assignments and their leads for the months a changed lead touches (see
``leads.counters`` for the marks and the refresh)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from relais.leads.choices import LeadStatus
from relais.leads.counters import analyze, local_zone, within
from relais.routing.choices import AssigneeKind, AssignmentEnd, SlaEventKind
from relais.routing.models import OPEN_BANDS, Assignment, KpiMonth, SlaEvent

KINDS = (AssigneeKind.RESELLER, AssigneeKind.SALESPERSON)
REMINDERS = (SlaEventKind.OPEN_REMINDER, SlaEventKind.STATUS_REMINDER)
COUNTS = ("received", "opened", "treated", "won", "lost", "declined", "expired")
BANDS = tuple(f"opened_{h}h" for h in OPEN_BANDS)


def month_of(day: date) -> date:
    return day.replace(day=1)


def _measures() -> dict[str, Any]:
    """What one assignment adds to its month (the definitions in ``routing.kpis``)."""
    live = Q(ended_at__isnull=True)
    closed = (LeadStatus.WON, LeadStatus.LOST)
    return {
        "received": Count("pk"),
        "opened": Count("pk", filter=Q(opened_at__isnull=False)),
        "treated": Count("pk", filter=live & Q(lead__status__in=(LeadStatus.IN_PROGRESS, *closed))),
        "won": Count("pk", filter=live & Q(lead__status=LeadStatus.WON)),
        "lost": Count("pk", filter=live & Q(lead__status=LeadStatus.LOST)),
        "declined": Count("pk", filter=Q(end=AssignmentEnd.DECLINED)),
        "expired": Count("pk", filter=Q(end=AssignmentEnd.EXPIRED)),
        "revenue": Sum("lead__won_amount", filter=live & Q(lead__status=LeadStatus.WON)),
        **{
            band: Count("pk", filter=Q(opened_at__lte=F("assigned_at") + timedelta(hours=h)))
            for band, h in zip(BANDS, OPEN_BANDS, strict=True)
        },
    }


def _month() -> TruncMonth:
    return TruncMonth("assigned_at", tzinfo=local_zone(), output_field=DateField())


def count_months(kind: str, where: Q) -> list[KpiMonth]:
    """The KPI months of ``kind``'s assignments matching ``where``, computed from the source."""
    assignments: QuerySet[Assignment] = Assignment.objects.filter(
        where, **{f"{kind}__isnull": False}
    )
    rows = (
        assignments.annotate(month=_month())
        .values(f"{kind}_id", "month")
        .annotate(**_measures())
        .order_by()
    )
    reminders = (
        SlaEvent.objects.filter(kind__in=REMINDERS, assignment__in=assignments.values("pk"))
        .annotate(
            month=TruncMonth(
                "assignment__assigned_at", tzinfo=local_zone(), output_field=DateField()
            )
        )
        .values(f"assignment__{kind}_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sent = {(r[f"assignment__{kind}_id"], r["month"]): r["n"] for r in reminders}
    return [
        KpiMonth(
            kind=kind,
            assignee_id=r[f"{kind}_id"],
            month=r["month"],
            revenue=r["revenue"] or 0,
            reminders=sent.get((r[f"{kind}_id"], r["month"]), 0),
            **{name: r[name] for name in (*COUNTS, *BANDS)},
        )
        for r in rows
    ]


def _buckets(lead_ids: list[int]) -> dict[tuple[str, date], set[int]]:
    """The (kind, month) buckets these leads' assignments fall in, with their assignees."""
    found: dict[tuple[str, date], set[int]] = defaultdict(set)
    for start in range(0, len(lead_ids), 1000):
        rows = Assignment.objects.filter(lead_id__in=lead_ids[start : start + 1000]).values_list(
            "reseller_id", "salesperson_id", "assigned_at"
        )
        for reseller, salesperson, at in rows:
            month = month_of(at.astimezone(local_zone()).date())
            if reseller is not None:
                found[(AssigneeKind.RESELLER, month)].add(reseller)
            else:
                found[(AssigneeKind.SALESPERSON, month)].add(salesperson)
    return found


def recompute(lead_ids: list[int]) -> None:
    for (kind, month), assignees in sorted(_buckets(lead_ids).items()):
        ids = sorted(assignees)
        for start in range(0, len(ids), 1000):
            some = ids[start : start + 1000]
            KpiMonth.objects.filter(kind=kind, month=month, assignee_id__in=some).delete()
            where = Q(**{f"{kind}_id__in": some}) & within([month], "assigned_at")
            KpiMonth.objects.bulk_create(count_months(kind, where), batch_size=1000)


def rebuild() -> None:
    KpiMonth.objects.all().delete()
    for kind in KINDS:
        KpiMonth.objects.bulk_create(count_months(kind, Q()), batch_size=1000)
    analyze(KpiMonth)
