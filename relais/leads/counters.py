"""Counters the dashboards read instead of grouping a million leads on every view.

Each counter table is a sum over buckets (a day of submissions, an assignee's month) that can
always be recomputed from the leads. A write that changes what a lead feeds marks the lead
(``touch``, in the write's own transaction); before a counter is read, ``refresh`` recomputes
the buckets the marked leads belong to, from the source rows, and deletes the marks it read.
Recomputing rather than adding deltas means a counter is never wrong for longer than until the
next refresh, whatever path changed the lead; ``rebuild`` recomputes everything (migrations,
the demo seed, ``manage.py counters_rebuild``).

The leads app owns the marks and the day counters; other apps register their own counters in
``AppConfig.ready`` (routing: the KPI months) so that leads never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from relais.bulk import compiled, is_batch
from relais.bulk.stats import analyze  # also the KPI months' rebuild's (routing.counters)
from relais.leads import bulk
from relais.leads.models import Lead, LeadDay, LeadTouch

# Marks read and recomputed per transaction: a refresh after a large import proceeds in steps.
CHUNK = 20_000
_LOCK = 0x52454C41  # "RELA": serialises refreshes on PostgreSQL (SQLite's writer lock does)


@dataclass(frozen=True)
class Counter:
    name: str
    recompute: Callable[[list[int]], None]  # the buckets of these leads
    rebuild: Callable[[], None]  # every bucket


_counters: dict[str, Counter] = {}


def register(
    name: str, *, recompute: Callable[[list[int]], None], rebuild: Callable[[], None]
) -> None:
    _counters[name] = Counter(name, recompute, rebuild)


def touch(lead_ids: Iterable[int]) -> None:
    """Mark these leads' counters out of date; call inside the transaction that changes them.
    A few marks through the ORM; a batch's (an import, a routing batch) in one multi-row
    INSERT (``leads.bulk``), where a model instance per mark cost more than the INSERT."""
    marks = sorted(set(lead_ids))
    if is_batch(len(marks)):
        bulk.touch(marks)
    else:
        LeadTouch.objects.bulk_create([LeadTouch(lead_id=pk) for pk in marks])


def refresh() -> int:
    """Bring every counter up to date with the leads marked so far; returns the marks read.

    Refreshes run one at a time: two at once could each recompute a bucket and the one that
    read the older state write last. Each mark is deleted by id, after its buckets were
    recomputed from a state that includes its change (committed before the mark was read)."""
    done = 0
    while compiled.rows(_first_mark):  # read before every counter: kept compiled
        with transaction.atomic():
            _lock()
            marks = list(LeadTouch.objects.order_by("pk").values_list("pk", "lead_id")[:CHUNK])
            if not marks:
                break
            lead_ids = sorted({lead_id for _pk, lead_id in marks})
            for counter in _counters.values():
                counter.recompute(lead_ids)
            ids = [pk for pk, _lead_id in marks]
            for start in range(0, len(ids), 1000):
                LeadTouch.objects.filter(pk__in=ids[start : start + 1000]).delete()
        done += len(marks)
    return done


def _first_mark() -> QuerySet[LeadTouch, tuple[int]]:
    return LeadTouch.objects.values_list("pk")[:1]


def rebuild() -> None:
    """Recompute every counter from scratch (after a bulk load that bypassed the services)."""
    with transaction.atomic():
        _lock()
        LeadTouch.objects.all().delete()
        for counter in _counters.values():
            counter.rebuild()


def refresh_job(now: datetime) -> str:
    """The scheduled refresh, so that a page rarely finds much to recompute."""
    return f"{refresh()} changed leads counted"


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])


def local_zone() -> ZoneInfo:
    """Buckets are days and months in the company's time zone, whoever is looking."""
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def within(starts: Iterable[date], field: str, length: timedelta | None = None) -> Q:
    """``field`` inside one of the buckets beginning on these dates (a day long, or up to the
    first of the next month when ``length`` is None): one range per bucket, not one from the
    first to the last, which may be years apart."""
    found = Q(pk__in=[])
    for start in sorted(set(starts)):
        end = (
            start + length if length else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        )
        found |= Q(**{f"{field}__gte": day_start(start), f"{field}__lt": day_start(end)})
    return found


# --- leads submitted per day and status ---------------------------------------------------------


def _days(lead_ids: list[int]) -> set[date]:
    days: set[date] = set()
    for start in range(0, len(lead_ids), 1000):
        rows = Lead.objects.filter(pk__in=lead_ids[start : start + 1000]).values_list(
            "submitted_at", flat=True
        )
        days |= {at.astimezone(local_zone()).date() for at in rows}
    return days


def _count_days(days: set[date] | None) -> list[LeadDay]:
    """The day counters computed from the leads: of these days, or of every day."""
    leads = Lead.objects.all()
    if days is not None:
        leads = leads.filter(within(days, "submitted_at", timedelta(days=1)))
    rows = (
        leads.annotate(day=TruncDate("submitted_at", tzinfo=local_zone(), output_field=DateField()))
        .values("day", "status")
        .annotate(n=Count("pk"), won=Sum("won_amount"))
        .order_by()
    )
    return [
        LeadDay(day=r["day"], status=r["status"], leads=r["n"], won_amount=r["won"] or 0)
        for r in rows
        if days is None or r["day"] in days
    ]


def _recompute_days(lead_ids: list[int]) -> None:
    _recount(_days(lead_ids))


def _recount(days: set[date]) -> None:
    if days:
        LeadDay.objects.filter(day__in=days).delete()
        LeadDay.objects.bulk_create(_count_days(days), batch_size=1000)


def recount_days(days: set[date]) -> None:
    """Recount these days after leads were deleted, which only a bulk clean-up past the
    services does (the product anonymises leads, never deletes them): a deleted lead leaves
    no mark to find its day by."""
    with transaction.atomic():
        _lock()
        _recount(days)


def _rebuild_days() -> None:
    LeadDay.objects.all().delete()
    LeadDay.objects.bulk_create(_count_days(None), batch_size=1000)
    analyze(LeadDay)


register("leads.days", recompute=_recompute_days, rebuild=_rebuild_days)
