"""Personal SMART targets, proposed for every participant at once.

Each target comes from the participant's own history (the same period last year, the last 12
months, both scaled to the challenge's length), their territory's potential (the leads of their
département, shared among the participants there) and their seniority (newcomers, with no
history worth the name, get the median of their cohort). An uplift makes it a challenge; two
bounds keep it attainable: never above a multiple of their best comparable period, never below
a floor. Everything is read in a few grouped queries from the counters (``PartnerMonth``, the
certificates), never per participant and never by scanning each one's leads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.challenges.choices import ChallengeMetric
from relais.challenges.models import Challenge
from relais.engagement.models import PartnerMonth
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.partners.models import Partner
from relais.training.models import Certificate

# Weights of the established participant's base: their history first, the territory a little.
W_LAST_YEAR = Decimal("0.4")
W_LAST_12 = Decimal("0.4")
W_TERRITORY = Decimal("0.2")
NEWCOMER_DAYS = 183  # under six months in the network: a newcomer
FIELD = {
    ChallengeMetric.SUBMITTED: "submitted",
    ChallengeMetric.QUALIFIED: "qualified",
    ChallengeMetric.WON: "won",
    ChallengeMetric.REVENUE: "won_amount",
}


@dataclass(frozen=True)
class Rules:
    uplift: Decimal  # 0.10 for 10 %
    cap_multiple: Decimal
    floor: Decimal

    @classmethod
    def from_settings(cls) -> Rules:
        return cls(
            uplift=Decimal(str(settings.RELAIS_CHALLENGE_UPLIFT_PERCENT)) / 100,
            cap_multiple=Decimal(str(settings.RELAIS_CHALLENGE_CAP_MULTIPLE)),
            floor=Decimal(str(settings.RELAIS_CHALLENGE_TARGET_FLOOR)),
        )


@dataclass(frozen=True)
class Inputs:
    """What one participant's target is proposed from, already scaled to the challenge."""

    last_year: Decimal
    last_12m: Decimal
    territory: Decimal
    newcomer: bool
    kind: str


@dataclass(frozen=True)
class Proposal:
    target: Decimal
    inputs: dict[str, Any]
    formula: str


def _month(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _last_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def windows(challenge: Challenge) -> dict[str, tuple[date, date]]:
    """The months (first month, month after the last) each comparable period covers."""
    first = _month(_last_year(challenge.starts_on))
    after = _add_months(_month(_last_year(challenge.ends_on)), 1)
    start_month = _month(challenge.starts_on)
    return {"last_year": (first, after), "last_12m": (_add_months(start_month, -12), start_month)}


def _scale(challenge: Challenge, span: tuple[date, date]) -> Decimal:
    """Challenge days over the days the months of ``span`` hold: a count over those months, times
    this, is what the same rhythm gives over the challenge."""
    return Decimal(challenge.days) / Decimal((span[1] - span[0]).days)


def _history(challenge: Challenge, ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """(last year's same period, last 12 months), raw, per partner: one grouped query."""
    spans = windows(challenge)
    ly, l12 = spans["last_year"], spans["last_12m"]
    rows: Any  # one of two querysets of the same dicts
    if challenge.metric == ChallengeMetric.TRAININGS:
        rows = (
            Certificate.objects.filter(partner_id__in=ids, module__isnull=False)
            .values("partner_id")
            .annotate(
                ly=Count("pk", filter=Q(issued_at__date__gte=ly[0], issued_at__date__lt=ly[1])),
                l12=Count("pk", filter=Q(issued_at__date__gte=l12[0], issued_at__date__lt=l12[1])),
            )
            .order_by()
        )
    else:
        field = FIELD[ChallengeMetric(challenge.metric)]
        rows = (
            PartnerMonth.objects.filter(partner_id__in=ids, month__gte=min(ly[0], l12[0]))
            .values("partner_id")
            .annotate(
                ly=Sum(field, filter=Q(month__gte=ly[0], month__lt=ly[1])),
                l12=Sum(field, filter=Q(month__gte=l12[0], month__lt=l12[1])),
            )
            .order_by()
        )
    return {r["partner_id"]: (Decimal(r["ly"] or 0), Decimal(r["l12"] or 0)) for r in rows}


def _territory(challenge: Challenge, departements: set[str]) -> dict[str, Decimal]:
    """The metric over the last 12 months per département, from the leads: one grouped query."""
    if challenge.metric == ChallengeMetric.TRAININGS or not departements:
        return {}
    span = windows(challenge)["last_12m"]
    won = Q(status=LeadStatus.WON)
    aggregate = {
        ChallengeMetric.SUBMITTED: Count("pk"),
        ChallengeMetric.QUALIFIED: Count("pk", filter=Q(qualified_at__isnull=False)),
        ChallengeMetric.WON: Count("pk", filter=won),
        ChallengeMetric.REVENUE: Sum("won_amount", filter=won),
    }[ChallengeMetric(challenge.metric)]
    rows = (
        Lead.objects.filter(
            departement_id__in=departements,
            submitted_at__date__gte=span[0],
            submitted_at__date__lt=span[1],
        )
        .values("departement_id")
        .annotate(n=aggregate)
        .order_by()
    )
    return {r["departement_id"]: Decimal(r["n"] or 0) for r in rows}


def gather(challenge: Challenge, partners: list[Partner]) -> dict[int, Inputs]:
    """Every participant's inputs, scaled to the challenge, in three queries whatever their
    number."""
    ids = [p.pk for p in partners]
    spans = windows(challenge)
    ly_scale, l12_scale = (
        _scale(challenge, spans["last_year"]),
        _scale(challenge, spans["last_12m"]),
    )
    history = _history(challenge, ids)
    territory = _territory(challenge, {p.departement_id for p in partners if p.departement_id})
    sharing: dict[str, int] = {}
    for p in partners:
        sharing[p.departement_id] = sharing.get(p.departement_id, 0) + 1
    today = timezone.localdate()
    result = {}
    for p in partners:
        ly, l12 = history.get(p.pk, (Decimal(0), Decimal(0)))
        dept_total = territory.get(p.departement_id, Decimal(0))
        result[p.pk] = Inputs(
            last_year=ly * ly_scale,
            last_12m=l12 * l12_scale,
            territory=dept_total * l12_scale / sharing[p.departement_id],
            newcomer=(today - p.created_at.date()) < timedelta(days=NEWCOMER_DAYS),
            kind=p.kind,
        )
    return result


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):f}"


def _round(value: Decimal, money: bool) -> Decimal:
    if money:
        return value.quantize(Decimal("0.01"), ROUND_HALF_UP)
    return value.quantize(Decimal("1"), ROUND_CEILING)  # a count target: the next whole one


def base_of(inputs: Inputs) -> Decimal:
    return (
        W_LAST_YEAR * inputs.last_year
        + W_LAST_12 * inputs.last_12m
        + W_TERRITORY * inputs.territory
    )


def propose_one(
    inputs: Inputs, cohort_median: Decimal | None, rules: Rules, money: bool
) -> Proposal:
    """One participant's target and the formula it came from, in words a manager can check."""
    uplift = 1 + rules.uplift
    if inputs.newcomer:
        base = cohort_median if cohort_median is not None else inputs.territory
        # The formula is kept as text, in the language of the manager who proposed it.
        source = _("cohort median") if cohort_median is not None else _("territory")
        steps = [f"{source} {_fmt(base)} × {uplift:f}"]
        raw = base * uplift
        capped = raw
    else:
        base = base_of(inputs)
        steps = [
            f"({W_LAST_YEAR} × {_fmt(inputs.last_year)} + {W_LAST_12} × {_fmt(inputs.last_12m)}"
            f" + {W_TERRITORY} × {_fmt(inputs.territory)}) × {uplift:f}"
        ]
        raw = base * uplift
        best = max(inputs.last_year, inputs.last_12m)
        cap = rules.cap_multiple * best
        capped = min(raw, cap)
        steps.append(f"= {_fmt(raw)}")
        if capped < raw:
            steps.append(
                _("capped at %(multiple)s × best %(best)s = %(cap)s")
                % {"multiple": f"{rules.cap_multiple:f}", "best": _fmt(best), "cap": _fmt(cap)}
            )
    target = max(_round(capped, money), rules.floor)
    if target == rules.floor and _round(capped, money) < rules.floor:
        steps.append(_("floor %(floor)s") % {"floor": f"{rules.floor:f}"})
    steps.append(f"→ {_fmt(target) if money else int(target)}")
    inputs_json = {
        "last_year": _fmt(inputs.last_year),
        "last_12m": _fmt(inputs.last_12m),
        "territory": _fmt(inputs.territory),
        "newcomer": inputs.newcomer,
        "cohort_median": _fmt(cohort_median)
        if inputs.newcomer and cohort_median is not None
        else None,
        "uplift_percent": _fmt(rules.uplift * 100),
        "cap_multiple": f"{rules.cap_multiple:f}",
        "floor": f"{rules.floor:f}",
    }
    return Proposal(target=target, inputs=inputs_json, formula=" ".join(steps))


def propose(
    challenge: Challenge, partners: list[Partner], rules: Rules | None = None
) -> dict[int, Proposal]:
    """The proposed target of each partner: newcomers get the median base of the established
    participants of their kind (their cohort), the others their own."""
    rules = rules or Rules.from_settings()
    inputs = gather(challenge, partners)
    bases: dict[str, list[Decimal]] = {}
    for i in inputs.values():
        if not i.newcomer:
            bases.setdefault(i.kind, []).append(base_of(i))
    medians = {kind: Decimal(median(values)) for kind, values in bases.items() if values}
    money = challenge.is_money
    return {pk: propose_one(i, medians.get(i.kind), rules, money) for pk, i in inputs.items()}


def per_member(
    proposal: Proposal, members: int, money: bool, rules: Rules | None = None
) -> Proposal:
    """A reseller's staff member's share of the reseller's proposed target.

    The reseller's history divided equally among its active staff, not each member's own
    leads: the counters (``PartnerMonth``) are kept per partner, and a lead records who worked
    it only partly (``created_by`` for a lead entered in the portal, ``assigned_salesperson``
    once the reseller assigns it; imported, API and routed leads have neither), so a member's
    own history would undercount everyone and push every target to the floor."""
    rules = rules or Rules.from_settings()
    target = max(_round(proposal.target / members, money), rules.floor)
    share = _("÷ %(n)s staff members") % {"n": members}
    return Proposal(
        target=target,
        inputs={**proposal.inputs, "staff_members": members},
        formula=f"{proposal.formula} {share} → {_fmt(target) if money else int(target)}",
    )


__all__ = ["Inputs", "Proposal", "Rules", "gather", "per_member", "propose", "propose_one"]
