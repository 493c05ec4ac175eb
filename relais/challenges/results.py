"""A challenge's results (reads only): its winners by its mechanic, its cost (from the rewards,
through a hook), and its uplift — the participants' leads and revenue won over the challenge's
period against their own baseline (the same days a year before) and against comparable
non-participants (active partners of the same kinds, not enrolled) over the same days.

The uplift is a difference of differences: a season that lifts everyone lifts the comparison
group too, so ``uplift_vs_others`` is what the challenge added beyond the season."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from relais.challenges.choices import ChallengeStatus, Mechanic
from relais.challenges.models import Challenge, Participant
from relais.challenges.selectors import _order
from relais.leads.models import Lead
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Winner:
    rank: int
    participant: Participant
    level: int | None  # the highest level reached (levels mechanic), in % of the target


def challenge_winners(*, challenge: Challenge) -> list[Winner]:
    """Who wins, by the mechanic: the first N with some progress (ranking), everyone at or
    above their target (threshold), everyone at or above the lowest level, with the highest
    level they reached (levels). In the board's order, so ranks match the leaderboard."""
    board = challenge.participants.select_related("partner", "member__user").order_by(
        *_order(challenge)
    )
    if challenge.mechanic == Mechanic.RANKING:
        top = board.filter(progress__gt=0)[: challenge.top_n]
        return [Winner(n + 1, p, None) for n, p in enumerate(top)]
    levels = challenge.level_list() if challenge.mechanic == Mechanic.LEVELS else [100]
    floor = Decimal(levels[0] if levels else 100) / 100
    winners = []
    # Ranks among everyone: the share order is the board's when ranked by share; when ranked
    # by the absolute figure, a winner's rank is still their place on the board.
    for n, p in enumerate(board.filter(share__gte=floor)):
        reached = [lv for lv in levels if p.share * 100 >= lv]
        level = reached[-1] if challenge.mechanic == Mechanic.LEVELS else None
        winners.append(Winner(n + 1, p, level))
    if challenge.ranking != "share":
        ranks = {pk: n + 1 for n, pk in enumerate(board.values_list("pk", flat=True))}
        winners = [Winner(ranks[w.participant.pk], w.participant, w.level) for w in winners]
    return winners


# The cost of a challenge's rewards comes from the rewards' part of the app: it registers a
# function here (challenge → total cost excl. VAT, None while it has nothing to say).
_cost_sources: list[Callable[[Challenge], Decimal | None]] = []


def cost_source_register(*, source: Callable[[Challenge], Decimal | None]) -> None:
    if source not in _cost_sources:
        _cost_sources.append(source)


def challenge_cost(*, challenge: Challenge) -> Decimal | None:
    """The rewards' cost, or None when no rewards' source is registered or none answers."""
    found = [c for c in (source(challenge) for source in _cost_sources) if c is not None]
    return sum(found, ZERO).quantize(Decimal("0.01")) if found else None


@dataclass(frozen=True)
class Figures:
    """One group's leads submitted and revenue won (excl. VAT) over the period and over the
    same days a year before, and how many partners the group has."""

    partners: int
    leads: int
    leads_before: int
    revenue: Decimal
    revenue_before: Decimal

    @property
    def leads_change(self) -> Decimal | None:
        return _change(Decimal(self.leads), Decimal(self.leads_before))

    @property
    def revenue_change(self) -> Decimal | None:
        return _change(self.revenue, self.revenue_before)

    @property
    def leads_each(self) -> Decimal:
        return _each(Decimal(self.leads), self.partners)

    @property
    def revenue_each(self) -> Decimal:
        return _each(self.revenue, self.partners)


def _change(now: Decimal, before: Decimal) -> Decimal | None:
    """The change in percent, one decimal; None when there was nothing before to compare with."""
    if not before:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.1"))


def _each(total: Decimal, partners: int) -> Decimal:
    return (total / partners).quantize(Decimal("0.01")) if partners else ZERO


@dataclass(frozen=True)
class Results:
    challenge: Challenge
    first: date
    last: date  # the challenge's last day, or today while it runs
    winners: list[Winner]
    cost: Decimal | None
    participants: Figures
    others: Figures

    @property
    def leads_vs_others(self) -> Decimal | None:
        return _gap(self.participants.leads_change, self.others.leads_change)

    @property
    def revenue_vs_others(self) -> Decimal | None:
        return _gap(self.participants.revenue_change, self.others.revenue_change)

    @property
    def cost_per_lead_gained(self) -> Decimal | None:
        gained = self.participants.leads - self.participants.leads_before
        if self.cost is None or gained <= 0:
            return None
        return (self.cost / gained).quantize(Decimal("0.01"))


def _gap(mine: Decimal | None, theirs: Decimal | None) -> Decimal | None:
    """Percentage points the participants gained beyond the others."""
    if mine is None or theirs is None:
        return None
    return (mine - theirs).quantize(Decimal("0.1"))


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, zone),
        datetime.combine(last + timedelta(days=1), time.min, zone),
    )


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _figures(partners: QuerySet[Partner], first: date, last: date) -> Figures:
    """Two aggregate queries whatever the group's size: the leads (by submission) and the
    revenue (by the day won) in both periods, counted over the group's partners."""
    now_from, now_to = _bounds(first, last)
    was_from, was_to = _bounds(_year_before(first), _year_before(last))
    leads = Lead.objects.filter(partner__in=partners.values("pk"))
    money = DecimalField(max_digits=16, decimal_places=2)
    totals = leads.aggregate(
        leads=Count("pk", filter=Q(submitted_at__gte=now_from, submitted_at__lt=now_to)),
        leads_before=Count("pk", filter=Q(submitted_at__gte=was_from, submitted_at__lt=was_to)),
        revenue=Coalesce(
            Sum("won_amount", filter=Q(won_at__gte=now_from, won_at__lt=now_to)),
            Value(ZERO),
            output_field=money,
        ),
        revenue_before=Coalesce(
            Sum("won_amount", filter=Q(won_at__gte=was_from, won_at__lt=was_to)),
            Value(ZERO),
            output_field=money,
        ),
    )
    return Figures(
        partners=partners.count(),
        leads=totals["leads"],
        leads_before=totals["leads_before"],
        revenue=Decimal(totals["revenue"]).quantize(Decimal("0.01")),
        revenue_before=Decimal(totals["revenue_before"]).quantize(Decimal("0.01")),
    )


def challenge_results(*, challenge: Challenge) -> Results:
    """The results page's figures, in a fixed number of queries."""
    first = challenge.starts_on
    last = challenge.ends_on
    if challenge.status != ChallengeStatus.ENDED:
        last = max(first, min(last, timezone.localdate()))
    enrolled = Participant.objects.filter(challenge=challenge).values("partner_id")
    participants = Partner.objects.filter(pk__in=enrolled)
    kinds = set(participants.values_list("kind", flat=True).distinct())
    others = Partner.objects.filter(status=PartnerStatus.ACTIVE, kind__in=kinds).exclude(
        pk__in=enrolled
    )
    return Results(
        challenge=challenge,
        first=first,
        last=last,
        winners=challenge_winners(challenge=challenge),
        cost=challenge_cost(challenge=challenge),
        participants=_figures(participants, first, last),
        others=_figures(others, first, last),
    )


def _rewards_cost(challenge: Challenge) -> Decimal | None:
    """The rewards' cost (``rewards.selectors``): the awards once made, else the projection from
    the progress so far; None for a challenge with no reward."""
    from relais.challenges.rewards.selectors import rewards_projection

    projection = rewards_projection(challenge=challenge)
    return projection.cost if projection.rows else None


def register() -> None:
    cost_source_register(source=_rewards_cost)
