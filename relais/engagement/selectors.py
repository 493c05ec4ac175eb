"""Reads of the segments: the counts per segment with this month's movements (from the
partner segments and their moves only: two grouped reads, whatever the network's size), a
segment's partners for the drill-down, and the saved segments a user may reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from relais.accounts.models import User
from relais.engagement.choices import INTRODUCER_SEGMENTS, RESELLER_SEGMENTS, Segment
from relais.engagement.counters import month_of
from relais.engagement.models import PartnerSegment, SavedSegment, SegmentMove
from relais.engagement.segments import LIVE, months_back
from relais.leads.counters import local_zone
from relais.partners.models import Partner
from relais.partners.selectors import partners_visible_to

AWAKE = (Segment.CHAMPION, Segment.ACTIVE, Segment.OCCASIONAL)


@dataclass
class SegmentCount:
    """One segment today and how it moved: in and out this month and last month (a
    partner's first judgement is not a move)."""

    code: str
    count: int = 0
    moved_in: int = 0
    moved_out: int = 0
    moved_in_last: int = 0
    moved_out_last: int = 0

    @property
    def label(self) -> str:
        return str(Segment(self.code).label)

    @property
    def net(self) -> int:
        return self.moved_in - self.moved_out

    @property
    def at_month_start(self) -> int:
        """How many were in it on the first of the month (today's count less this month's
        moves)."""
        return self.count - self.net


@dataclass
class Flow:
    """A movement worth a line of its own (went dormant, woke up), this month and last."""

    this_month: int = 0
    last_month: int = 0


@dataclass
class Overview:
    introducers: list[SegmentCount]
    resellers: list[SegmentCount]
    went_dormant: Flow = field(default_factory=Flow)
    woke_up: Flow = field(default_factory=Flow)
    judged_on: date | None = None

    @property
    def introducer_total(self) -> int:
        return sum(s.count for s in self.introducers)

    @property
    def reseller_total(self) -> int:
        return sum(s.count for s in self.resellers)


def segment_overview(*, today: date | None = None) -> Overview:
    """The counts per segment and the month-on-month movements: two grouped reads of
    indexes and one row."""
    today = today or timezone.localdate(timezone=local_zone())
    this_month = month_of(today)
    last_month = months_back(this_month, 1)
    counts = {code: SegmentCount(code) for code in Segment.values}
    # Counted on the (segment, partner) index alone: no other column is read.
    rows = PartnerSegment.objects.values_list("segment").annotate(n=Count("segment"))
    for code, n in rows.order_by():
        if code in counts:
            counts[code].count = n
    overview = Overview(
        [counts[c] for c in INTRODUCER_SEGMENTS],
        [counts[c] for c in RESELLER_SEGMENTS],
        # Every judgement dates every row: any one row tells when the last one ran.
        judged_on=PartnerSegment.objects.order_by().values_list("judged_on", flat=True).first(),
    )
    _add_moves(overview, counts, this_month, last_month)
    return overview


def _add_moves(
    overview: Overview, counts: dict[str, SegmentCount], this_month: date, last_month: date
) -> None:
    current = Q(moved_on__gte=this_month)
    moves = (
        SegmentMove.objects.filter(moved_on__gte=last_month)
        .exclude(from_segment="")
        .values_list("from_segment", "to_segment")
        # Counted on the (moved_on, from, to) index alone.
        .annotate(now=Count("moved_on", filter=current), before=Count("moved_on", filter=~current))
        .order_by()
    )
    for source, target, now, before in moves:
        if source in counts:
            counts[source].moved_out += now
            counts[source].moved_out_last += before
        if target in counts:
            counts[target].moved_in += now
            counts[target].moved_in_last += before
        if target == Segment.DORMANT:
            overview.went_dormant.this_month += now
            overview.went_dormant.last_month += before
        if source == Segment.DORMANT and target in AWAKE:
            overview.woke_up.this_month += now
            overview.woke_up.last_month += before


def segment_members(user: User, code: str, *, filters: dict[str, Any]) -> QuerySet[Partner]:
    """The partners of segment ``code`` the user may see, filtered as the drill-down asks,
    with their segment's figures; ordered by name."""
    partners = (
        partners_visible_to(user)
        .filter(segment__segment=code, status__in=LIVE)
        .select_related("segment")
    )
    if filters.get("q"):
        term = filters["q"].strip()
        partners = partners.filter(
            Q(company_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(email__icontains=term)
            | Q(city__icontains=term)
        )
    if filters.get("status"):
        partners = partners.filter(status=filters["status"])
    if filters.get("departement"):
        partners = partners.filter(departement_id=filters["departement"])
    if filters.get("region"):
        partners = partners.filter(departement__region=filters["region"])
    return partners.order_by("company_name", "last_name", "first_name", "pk")


def partner_segment(partner: Partner) -> PartnerSegment | None:
    return PartnerSegment.objects.filter(partner=partner).first()


def partner_moves(partner: Partner, limit: int = 5) -> list[SegmentMove]:
    return list(SegmentMove.objects.filter(partner=partner).order_by("-moved_on", "-pk")[:limit])


def saved_segments_for_user(*, user: User) -> QuerySet[SavedSegment]:
    """Saved segments are the managers' tool: they see every one, anyone else none."""
    found = SavedSegment.objects.select_related("created_by")
    return found if user.can_manage else found.none()


def saved_segment_get_for_user(*, user: User, pk: int) -> SavedSegment:
    """Raises SavedSegment.DoesNotExist outside the user's scope (a 404 to callers)."""
    return saved_segments_for_user(user=user).get(pk=pk)
