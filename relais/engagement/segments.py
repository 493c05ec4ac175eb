"""The lifecycle segments: each live partner judged, on a schedule, into one segment
(``PartnerSegment``), and each change of segment kept as a move (``SegmentMove``).

Introducers are judged on their partner months (``engagement.counters``), never on the leads;
resellers on their KPI traffic lights against the norms (``routing.kpis``). A window of N
months is the current calendar month and the N − 1 before it, as the KPI table counts them.

Rules for an introducer, in this order (the thresholds are settings, shown on the page):
- never referred: *new* when the partner was created under ``NEW_DAYS`` days ago, else *never*;
- *dormant*: a lead once, none in the last ``DORMANT_MONTHS`` months — even a former champion:
  six silent months say more about today than a busy year before them;
- *champion*: at least ``CHAMPION_LEADS`` leads in 12 months;
- *active*: at least ``ACTIVE_LEADS`` leads in 12 months and one in the last 3;
- *occasional*: the others (a lead within ``DORMANT_MONTHS`` months).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from relais.engagement.choices import Segment
from relais.engagement.counters import month_of
from relais.engagement.models import PartnerMonth, PartnerSegment, SegmentMove
from relais.leads import counters as lead_counters
from relais.leads.counters import local_zone
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.kpis import RATES, default_period, kpi_table
from relais.routing.review import JUDGED_FROM

LIVE = (PartnerStatus.ACTIVE, PartnerStatus.PAUSED)
CHUNK = 2000
FIGURES = ("segment", "leads_12m", "won_12m", "last_lead_month")


def months_back(month: date, n: int) -> date:
    """The first of the month ``n`` months before ``month`` (itself a first of the month)."""
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Thresholds:
    """The settings the rules read, as the page shows them."""

    champion_leads: int
    active_leads: int
    dormant_months: int
    new_days: int

    @classmethod
    def current(cls) -> Thresholds:
        return cls(
            settings.RELAIS_SEGMENT_CHAMPION_LEADS,
            settings.RELAIS_SEGMENT_ACTIVE_LEADS,
            settings.RELAIS_SEGMENT_DORMANT_MONTHS,
            settings.RELAIS_SEGMENT_NEW_DAYS,
        )


@dataclass(frozen=True, slots=True)
class Activity:
    """An introducer's figures from its partner months."""

    leads_12m: int = 0
    won_12m: int = 0
    recent_3m: int = 0
    last_lead_month: date | None = None


def introducer_segment(
    activity: Activity, *, created: date, today: date, rules: Thresholds
) -> Segment:
    """The rules of the module's docstring, for one introducer."""
    month = month_of(today)
    if activity.last_lead_month is None:
        young = (today - created).days < rules.new_days
        return Segment.NEW if young else Segment.NEVER
    if activity.last_lead_month < months_back(month, rules.dormant_months - 1):
        return Segment.DORMANT
    if activity.leads_12m >= rules.champion_leads:
        return Segment.CHAMPION
    if activity.leads_12m >= rules.active_leads and activity.recent_3m:
        return Segment.ACTIVE
    return Segment.OCCASIONAL


def _activities(today: date) -> dict[int, Activity]:
    """Every introducer's figures, in one grouped read of the partner months."""
    month = month_of(today)
    year, quarter = months_back(month, 11), months_back(month, 2)
    rows = (
        PartnerMonth.objects.filter(submitted__gt=0)
        .values("partner_id")
        .annotate(
            leads=Sum("submitted", filter=Q(month__gte=year)),
            won=Sum("won", filter=Q(month__gte=year)),
            recent=Sum("submitted", filter=Q(month__gte=quarter)),
            last=Max("month"),
        )
        .order_by()
        .values_list("partner_id", "leads", "won", "recent", "last")
    )
    return {
        pk: Activity(leads or 0, won or 0, recent or 0, last)
        for pk, leads, won, recent, last in rows
    }


def reseller_segments(now: datetime) -> dict[int, Segment]:
    """Each reseller with KPIs over 12 months, by its traffic lights against the norms
    (green when every rate is green, red when one is red, amber otherwise); a reseller with
    fewer than ``routing.review.JUDGED_FROM`` leads is not judged, as in the yearly review."""
    start, end = default_period(now)
    found: dict[int, Segment] = {}
    for kpi in kpi_table(start=start, end=end, with_medians=False, up_to_date=False):
        if kpi.received < JUDGED_FROM:
            continue
        lights = [kpi.lights[name] for name in RATES]
        if "red" in lights:
            found[kpi.assignee] = Segment.RESELLER_RED
        elif all(light == "green" for light in lights):
            found[kpi.assignee] = Segment.RESELLER_GREEN
        else:
            found[kpi.assignee] = Segment.RESELLER_AMBER
    return found


def _judged(today: date, now: datetime) -> Iterator[PartnerSegment]:
    """Today's verdict on every live partner (unsaved rows)."""
    rules = Thresholds.current()
    activities = _activities(today)
    resellers = reseller_segments(now)
    nothing = Activity()
    live = Partner.objects.filter(status__in=LIVE).values_list("pk", "kind", "created_at")
    zone = local_zone()
    for pk, kind, created_at in live.order_by().iterator(chunk_size=CHUNK):
        activity = activities.get(pk, nothing)
        if kind == PartnerKind.RESELLER:
            segment = resellers.get(pk, Segment.RESELLER_UNJUDGED)
        else:
            created = created_at.astimezone(zone).date()
            segment = introducer_segment(activity, created=created, today=today, rules=rules)
        yield PartnerSegment(
            partner_id=pk,
            segment=segment,
            since=today,
            leads_12m=activity.leads_12m,
            won_12m=activity.won_12m,
            last_lead_month=activity.last_lead_month,
            judged_on=today,
        )


def _chunks[T](items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def segments_judge(*, today: date | None = None, now: datetime | None = None) -> str:
    """Judge every live partner into its segment: new rows for partners judged the first
    time, the changed rows updated (a move written for each change of segment), the rows of
    partners no longer live deleted, and ``judged_on`` set on all. Set-based, in chunks: the
    large network's 55,000 partners are a few grouped reads and as many writes as changed.

    The leads' counters are brought up to date first, so a lead declared a minute ago counts.
    One judge at a time (``_one_at_a_time``): two reading the same stored rows would both
    create the new ones."""
    now = now or timezone.now()
    today = today or timezone.localtime(now, local_zone()).date()
    lead_counters.refresh()
    with transaction.atomic():
        _one_at_a_time()
        stored = {
            row[0]: row[1:]
            for row in PartnerSegment.objects.values_list("partner_id", *FIGURES).iterator(
                chunk_size=CHUNK
            )
        }
        created, changed, moves = _write(_judged(today, now), stored, today)
        gone = list(stored)  # _write took out every partner still live
        for chunk in _chunks(gone):
            PartnerSegment.objects.filter(partner_id__in=chunk).delete()
        PartnerSegment.objects.exclude(judged_on=today).update(judged_on=today)
    return f"{created} partners judged the first time, {changed} changed, {moves} moves"


def _write(
    verdicts: Iterable[PartnerSegment], stored: dict[int, tuple[Any, ...]], today: date
) -> tuple[int, int, int]:
    """Write the verdicts that are new or differ from what ``stored`` holds (taking each
    judged partner out of ``stored``); returns how many were created, changed, and moved."""
    created = changed = moved = 0
    for chunk in _chunks(verdicts):
        new: list[PartnerSegment] = []
        resegmented: list[tuple[PartnerSegment, str]] = []  # new segment: ``since`` is today
        refigured: list[PartnerSegment] = []  # same segment, other figures: ``since`` stays
        for row in chunk:
            before = stored.pop(row.partner_id, None)
            if before is None:
                new.append(row)
            elif before[0] != row.segment:
                resegmented.append((row, before[0]))
            elif tuple(before[1:]) != (row.leads_12m, row.won_12m, row.last_lead_month):
                refigured.append(row)
        moves = [_move(row, "", today) for row in new]
        moves += [_move(row, previous, today) for row, previous in resegmented]
        PartnerSegment.objects.bulk_create(new, batch_size=CHUNK)
        if resegmented:
            rows = [row for row, _previous in resegmented]
            PartnerSegment.objects.bulk_update(rows, UPDATED, batch_size=500)
        if refigured:
            PartnerSegment.objects.bulk_update(refigured, UPDATED[2:], batch_size=500)
        SegmentMove.objects.bulk_create(moves, batch_size=CHUNK)
        created += len(new)
        changed += len(resegmented) + len(refigured)
        moved += len(moves)
    return created, changed, moved


UPDATED = ["segment", "since", "leads_12m", "won_12m", "last_lead_month", "judged_on"]


def _move(row: PartnerSegment, before: str, today: date) -> SegmentMove:
    return SegmentMove(
        partner_id=row.partner_id, moved_on=today, from_segment=before, to_segment=row.segment
    )


_LOCK = 0x5345474D  # "SEGM"


def _one_at_a_time() -> None:
    """PostgreSQL: a transaction lock of the judge's own. SQLite's transactions start with
    the writer's lock (``transaction_mode`` IMMEDIATE in the settings): nothing to add."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])


def segments_job(now: datetime) -> str:
    """The scheduled judgement (``engagement.segments``)."""
    return segments_judge(now=now)


def segment_partners(code: str) -> QuerySet[Partner]:
    """The partners in segment ``code`` at the last judgement (an unknown code: none)."""
    if code not in Segment.values:
        return Partner.objects.none()
    return Partner.objects.filter(segment__segment=code, status__in=LIVE)


def sweep_every() -> timedelta:
    return timedelta(minutes=settings.RELAIS_SEGMENT_SWEEP_MINUTES)
