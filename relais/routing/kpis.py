"""Reseller (and salesperson) KPIs over a period, judged on the assignments each was given.

Per assignment made in the period: *received*; *opened* when the assignee viewed it; *treated*
when, still theirs, the lead has a declared status (in progress, won, lost); *closed* when won or
lost. A lead declined or taken away for lateness counts as received and not treated, so the first
reseller's KPIs show the reassignment. Rates are shares of received; the ranking score smooths
them towards 50 % with four imaginary leads, so two lucky leads do not top the table.

Periods are whole calendar months (Paris time): the figures are read from each assignee's
monthly counters (``KpiMonth``, kept by ``routing.counters``), and the median time to open is
estimated from how many leads were opened within each band of hours.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from relais.leads.counters import day_start, local_zone, refresh
from relais.routing.bulk import kpi_sums
from relais.routing.counters import month_of
from relais.routing.models import OPEN_BANDS
from relais.routing.norms import norms

RATES = ("open_rate", "treatment_rate", "closure_rate")
SMOOTHING = 4  # imaginary leads at 50 % in the ranking score


# Slots: a table builds 3,500 of them, and a slotted instance is made in less than half the time.
@dataclass(slots=True)
class Kpi:
    assignee: int
    name: str = ""
    received: int = 0
    opened: int = 0
    treated: int = 0
    won: int = 0
    lost: int = 0
    declined: int = 0
    expired: int = 0
    reminders: int = 0
    revenue: Decimal = Decimal("0.00")
    median_open_hours: float | None = None
    yearly_leads: float = 0.0
    rank: int = 0
    _lights: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def _share(self, part: int) -> float | None:
        return part / self.received if self.received else None

    @property
    def open_rate(self) -> float | None:
        return self._share(self.opened)

    @property
    def treatment_rate(self) -> float | None:
        return self._share(self.treated)

    @property
    def closure_rate(self) -> float | None:
        return self._share(self.won + self.lost)

    @property
    def conversion(self) -> float | None:
        return self._share(self.won)

    @property
    def lights(self) -> dict[str, str]:
        """Green, amber or red against the programme's norms, per rate and for leads a year
        (worked out once: a page reads them cell by cell)."""
        if self._lights is None:
            marks = norms()
            found = {name: marks[name].light(getattr(self, name)) for name in RATES}
            found["yearly_leads"] = marks["yearly_leads"].light(self.yearly_leads)
            self._lights = found
        return self._lights

    @property
    def score(self) -> float:
        """The mean of the three rates, each smoothed towards 50 % (``SMOOTHING``)."""
        half, seen = SMOOTHING / 2, self.received + SMOOTHING
        hits = (self.opened + half, self.treated + half, self.won + self.lost + half)
        return sum((hits[0] / seen, hits[1] / seen, hits[2] / seen)) / 3


def default_period(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last 12 months: the current calendar month and the eleven before it (the KPIs are
    counted per month of assignment)."""
    now = now or timezone.now()
    today = timezone.localtime(now, local_zone()).date()
    months = today.year * 12 + today.month - 1 - 11
    return day_start(date(months // 12, months % 12 + 1, 1)), now


def kpi_table(
    *,
    start: datetime,
    end: datetime,
    assignee: str = "reseller",
    ids: list[int] | None = None,
    with_medians: bool = True,
    up_to_date: bool = True,
) -> list[Kpi]:
    """One Kpi per assignee with assignments in the months from ``start``'s to ``end``'s,
    ranked by score (best first). Read from the KPI months, brought up to date first unless
    the caller can do with the last refresh (``up_to_date=False``)."""
    if up_to_date:
        refresh()
    zone = local_zone()
    first = month_of(timezone.localtime(start, zone).date())
    last = month_of(timezone.localtime(end, zone).date())
    years = max((end - start).days, 1) / 365
    rows = _sums(assignee, first, last, ids)
    return [_kpi(row, years, with_medians, rank) for rank, row in enumerate(rows, 1)]


def _sums(kind: str, first: date, last: date, ids: list[int] | None) -> list[tuple[Any, ...]]:
    """Each assignee's sums over the KPI months from ``first`` to ``last``, best first: the
    assignee, ``COUNTS``, reminders, ``BANDS``, then the revenue in cents (exact on SQLite too,
    which sums decimals as floats).

    The ranking is the score, ``(opened + treated + closed + 6) / (3 × (received + 4))``, then
    the most leads, then the lowest id. Ordered by that one division (the factor 3 aside),
    whose rounding keeps the order of such small fractions, equal scores tie exactly and go to
    the most leads; the mean of three rounded rates parted some by their last bit (the bench's
    table of 3,541 resellers was out of order at 262 places). The database sorts them for
    nothing beside grouping them; Python took 2.5 ms.

    One hand-written statement through a plain cursor: Django's per-value converters cost
    more than the query's own Python (21 columns × 3,500 resellers), and compiling the
    grouped queryset took 1.2 ms of a 40 ms table: on the fast path (``routing.bulk``)."""
    return kpi_sums(kind, first, last, ids, smoothing=SMOOTHING)


_BANDS = slice(9, 9 + len(OPEN_BANDS))


def _kpi(row: tuple[Any, ...], years: float, with_medians: bool, rank: int) -> Kpi:
    """One assignee's row of ``_sums`` (3,500 of them in a table: positional, no keywords)."""
    assignee, received, opened, treated, won, lost, declined, expired, reminders = row[:9]
    median = median_from_bands(opened, row[_BANDS]) if with_medians else None
    revenue = Decimal(row[-1] or 0).scaleb(-2)  # cents → euros, exactly
    return Kpi(
        assignee,
        "",
        received,
        opened,
        treated,
        won,
        lost,
        declined,
        expired,
        reminders,
        revenue,
        median,
        round(received / years, 1),
        rank,
    )


def median_from_bands(opened: int, within: Sequence[int]) -> float | None:
    """The median time to open, in hours, estimated from how many were opened within each of
    ``OPEN_BANDS`` hours (counts that never decrease): interpolated inside the band holding the
    middle lead, as if the band's leads were spread evenly across it. Beyond the last band, the
    last band's hours."""
    if not opened:
        return None
    middle = opened / 2
    band = bisect_left(within, middle)  # the first band holding at least half the opened
    if band == len(OPEN_BANDS):
        return float(OPEN_BANDS[-1])
    low_hours, low_count = (OPEN_BANDS[band - 1], within[band - 1]) if band else (0, 0)
    share = (middle - low_count) / (within[band] - low_count)
    return round(low_hours + share * (OPEN_BANDS[band] - low_hours), 1)


COUNTED = ("received", "opened", "treated", "won", "lost", "declined", "expired", "reminders")


@dataclass(frozen=True)
class NetworkAverage:
    """What the table's average assignee did: its counts and revenue are means per assignee
    (a reseller compares its leads received with another reseller's, not with the whole
    network's), its rates the pooled ones (the means' ratios are the sums' ratios)."""

    pooled: Kpi  # the table's sums
    assignees: int

    def _mean(self, name: str) -> float:
        return round(getattr(self.pooled, name) / self.assignees, 1) if self.assignees else 0.0

    @property
    def received(self) -> float:
        return self._mean("received")

    @property
    def reminders(self) -> float:
        return self._mean("reminders")

    @property
    def expired(self) -> float:
        return self._mean("expired")

    @property
    def declined(self) -> float:
        return self._mean("declined")

    def __getattr__(self, name: str) -> Any:
        """The rates, the median time to open, the leads a year and the lights: the pooled
        table's own (the page reads them by name)."""
        if name in (*RATES, "conversion", "median_open_hours", "yearly_leads", "lights"):
            return getattr(self.pooled, name)
        raise AttributeError(name)

    @property
    def revenue(self) -> Decimal:
        if not self.assignees:
            return Decimal("0.00")
        return (self.pooled.revenue / self.assignees).quantize(Decimal("0.01"), ROUND_HALF_UP)


def network_average(kpis: list[Kpi]) -> NetworkAverage:
    """The network's average over the table (what a reseller compares itself with)."""
    total = Kpi(assignee=0)
    for k in kpis:
        for name in COUNTED:
            setattr(total, name, getattr(total, name) + getattr(k, name))
        total.revenue += k.revenue
    medians = [k.median_open_hours for k in kpis if k.median_open_hours is not None]
    total.median_open_hours = round(median(medians), 1) if medians else None
    total.yearly_leads = round(sum(k.yearly_leads for k in kpis) / len(kpis), 1) if kpis else 0
    return NetworkAverage(total, len(kpis))


def scores(ids: list[int], *, assignee: str, now: datetime) -> dict[int, float]:
    """Each assignee's ranking score over 12 months (an assignee with no lead scores 0.5).

    The scores of the day: computed once per assignee and day, then read from the cache. A
    12-month window barely moves within a day, and this is the router's costliest read (about
    a second for 5,000 resellers at a million leads).
    """
    key = f"routing:scores:{assignee}:{timezone.localdate(now).isoformat()}"
    known: dict[int, float] = cache.get(key) or {}
    missing = [pk for pk in ids if pk not in known]
    if missing:
        start, end = default_period(now)
        # The router reads within its own transaction: it must not wait for, nor hold, the
        # refresh's lock; the last refresh (minutes old at most) is recent enough here.
        table = kpi_table(
            start=start,
            end=end,
            assignee=assignee,
            ids=missing,
            with_medians=False,
            up_to_date=False,
        )
        found = {k.assignee: k.score for k in table}
        known.update({pk: found.get(pk, 0.5) for pk in missing})
        cache.set(key, known, timeout=26 * 3600)
    return {pk: known[pk] for pk in ids}


@dataclass(frozen=True)
class KpiRow:
    """One line of a KPI display: the attribute, its label, how to show it, its norm."""

    name: str
    label: str
    kind: str  # "int", "rate", "hours", "money", "number"
    norm: str = ""


def kpi_rows() -> list[KpiRow]:
    from django.utils.translation import gettext as _

    marks = norms()
    return [
        KpiRow("received", _("Leads received"), "int"),
        KpiRow("yearly_leads", _("Leads a year"), "number", marks["yearly_leads"].text(rate=False)),
        KpiRow("open_rate", _("Open rate"), "rate", marks["open_rate"].text()),
        KpiRow("treatment_rate", _("Treatment rate"), "rate", marks["treatment_rate"].text()),
        KpiRow("closure_rate", _("Closure rate"), "rate", marks["closure_rate"].text()),
        KpiRow("conversion", _("Conversion"), "rate"),
        KpiRow("median_open_hours", _("Median time to open (hours)"), "hours"),
        KpiRow("revenue", _("Revenue won excl. VAT"), "money"),
        KpiRow("reminders", _("SLA reminders"), "int"),
        KpiRow("expired", _("Taken back, not opened in time"), "int"),
        KpiRow("declined", _("Declined"), "int"),
    ]


def with_names(kpis: list[Kpi], assignee: str = "reseller") -> list[Kpi]:
    """Fill each row's name in one query."""
    from relais.accounts.models import User
    from relais.partners.models import Partner

    ids = [k.assignee for k in kpis]
    if assignee == "reseller":
        names = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "company_name"))
    else:
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    for k in kpis:
        k.name = names.get(k.assignee, "")
    return kpis


@dataclass
class Snapshot:
    """A period's KPI table as the pages show it, and when it was computed."""

    period: str
    start: datetime
    end: datetime
    table: list[Kpi]
    computed_at: datetime


def kpi_snapshot(key: str | None, *, assignee: str = "reseller", fresh: bool = False) -> Snapshot:
    """The KPI table of a period (``period_of``'s keys), with names, as the managers' and the
    resellers' KPI pages show it: computed at most ``RELAIS_KPI_SNAPSHOT_SECONDS`` ago and shared
    by every viewer. Computing it means grouping every assignment of the period with its lead
    (about a second at a million leads), which no page view should wait for; the page says when
    the figures were computed and a manager may ask for them now (``fresh``)."""
    period, start, end = period_of(key)
    # "slots": the snapshots cached before Kpi had slots cannot be read back into it.
    cache_key = f"routing:kpis:slots:{assignee}:{period}"
    found: Snapshot | None = None if fresh else cache.get(cache_key)
    if found is None:
        table = with_names(kpi_table(start=start, end=end, assignee=assignee), assignee)
        found = Snapshot(period, start, end, table, computed_at=timezone.now())
        cache.set(cache_key, found, timeout=settings.RELAIS_KPI_SNAPSHOT_SECONDS)
    return found


def periods(now: datetime | None = None) -> list[tuple[str, str]]:
    """The periods offered on the KPI pages: the last 12 months, then the last three years."""
    from django.utils.translation import gettext as _

    year = timezone.localdate().year if now is None else timezone.localtime(now).year
    return [("12m", _("Last 12 months"))] + [(str(y), str(y)) for y in range(year, year - 3, -1)]


def period_of(key: str | None, now: datetime | None = None) -> tuple[str, datetime, datetime]:
    """``12m`` (default) or a calendar year; anything else falls back to 12 months."""
    now = now or timezone.now()
    if key and key.isdigit() and key in {k for k, _label in periods(now)}:
        tz = timezone.get_current_timezone()
        start = datetime(int(key), 1, 1, tzinfo=tz)
        return key, start, min(datetime(int(key) + 1, 1, 1, tzinfo=tz), now)
    start, end = default_period(now)
    return "12m", start, end
