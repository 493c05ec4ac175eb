"""Reads on rewards: a challenge's projected cost from the current progress, and the French
treatment per beneficiary (partner and, for a reseller, the staff member) and calendar year, or
per challenge. The arithmetic is in ``taxes``; here the awards are gathered and ordered."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.challenges.choices import ChallengeStatus, Mechanic
from relais.challenges.models import Award, Challenge, Reward
from relais.challenges.rewards import taxes
from relais.challenges.rewards.choices import VAT_GIFTS, Regime, RewardKind
from relais.commissions.choices import RedemptionStatus
from relais.commissions.models import Redemption
from relais.core.calendar import year_bounds
from relais.core.money import cents
from relais.core.params import legal_value
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner

ZERO = Decimal(0)
HUNDRED = Decimal(100)


# --- projected cost ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Projected:
    reward: Reward
    winners: int
    cost: Decimal


@dataclass(frozen=True)
class Projection:
    rows: list[Projected]
    cost: Decimal
    budget: Decimal | None
    factor: Decimal  # the progress is projected to the last day by this factor
    awarded: bool  # the figures are the awards made, not a projection

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.cost > self.budget


def _factor(challenge: Challenge, today: date) -> Decimal:
    """A running challenge's progress, continued at its pace to the last day."""
    if challenge.status != ChallengeStatus.RUNNING:
        return Decimal(1)
    elapsed = (min(today, challenge.ends_on) - challenge.starts_on).days + 1
    if elapsed <= 0:
        return Decimal(1)
    return Decimal(challenge.days) / Decimal(elapsed)


def rewards_projection(*, challenge: Challenge, today: date | None = None) -> Projection:
    """Each reward's winners and cost: the awards once made; before, from the progress so far
    projected to the last day (a COUNT per reward on the participants' share)."""
    rewards = list(challenge.rewards.select_related("item"))
    budget = getattr(challenge, "budget", None)
    awards = dict(
        challenge.awards.values("reward_id")
        .annotate(s=Sum("value_incl_vat"))
        .values_list("reward_id", "s")
    )
    if awards:
        counts = {r.pk: r.awards.count() for r in rewards}
        rows = [Projected(r, counts[r.pk], cents(awards.get(r.pk) or ZERO)) for r in rewards]
        total = sum((p.cost for p in rows), ZERO)
        return Projection(rows, total, budget and budget.amount, Decimal(1), True)
    factor = _factor(challenge, today or timezone.localdate())
    participants = challenge.participants.filter(progress__gt=0)
    levels = challenge.level_list()

    def reaching(percent: int) -> int:
        return participants.filter(share__gte=Decimal(percent) / HUNDRED / factor).count()

    rows = []
    for r in rewards:
        if challenge.mechanic == Mechanic.RANKING:
            n = participants.count()
            winners = min(challenge.top_n, n) if r.place is None else int(n >= r.place)
        elif challenge.mechanic == Mechanic.THRESHOLD:
            winners = reaching(100)
        else:
            higher = [lv for lv in levels if r.level is not None and lv > r.level]
            winners = reaching(r.level or 0) - (reaching(min(higher)) if higher else 0)
        rows.append(Projected(r, winners, cents(r.value_incl_vat * winners)))
    total = sum((p.cost for p in rows), ZERO)
    return Projection(rows, total, budget and budget.amount, factor, False)


# --- the French treatment ----------------------------------------------------------------------


def regime_of(partner: Partner) -> Regime:
    return Regime.STAFF if partner.kind == PartnerKind.RESELLER else Regime.INTRODUCER


@dataclass
class Operation:
    """One challenge's awards to one beneficiary: the unit the voucher rule counts."""

    challenge: Challenge
    day: date
    awards: list[Award]
    general: Decimal = ZERO  # counted in the yearly L242-1-4 scale
    vouchers: Decimal = ZERO  # the voucher operation's value (under its own rule if it fits)
    voucher_rule: taxes.VoucherSplit | None = None
    voucher_number: int = 0  # this operation's rank among the year's voucher operations
    contribution: Decimal = ZERO  # the flat contribution this operation adds (both rules)
    excess: Decimal = ZERO  # what it adds to the excess for ordinary contributions
    cash: Decimal = ZERO
    in_kind: Decimal = ZERO  # benefits in kind incl. VAT (introducers: DAS2)
    gifts: Decimal = ZERO  # gifts whose VAT was deducted (the 73 € cap)

    @property
    def value(self) -> Decimal:
        return self.cash + self.in_kind


@dataclass
class Beneficiary:
    """One person's rewards in a calendar year and what they call for."""

    partner: Partner
    person: str
    year: int
    regime: Regime
    operations: list[Operation] = field(default_factory=list)
    staff: taxes.StaffSplit | None = None
    voucher_operations: int = 0
    voucher_contribution: Decimal = ZERO
    voucher_warning: bool = False
    gifts_year: Decimal = ZERO  # every gift of the year to them, the commissions' included
    vat_not_recoverable: bool = False

    @property
    def total(self) -> Decimal:
        return sum((a.value_incl_vat for op in self.operations for a in op.awards), ZERO)

    @property
    def in_kind(self) -> Decimal:
        return sum((op.in_kind for op in self.operations), ZERO)

    @property
    def cash(self) -> Decimal:
        return sum((op.cash for op in self.operations), ZERO)

    @property
    def contribution_due(self) -> Decimal:
        return (self.staff.contribution if self.staff else ZERO) + self.voucher_contribution

    @property
    def excess(self) -> Decimal:
        return self.staff.excess if self.staff else ZERO

    @property
    def name_missing(self) -> bool:
        """A reseller's award must name the staff member: the figures are per person."""
        return self.regime == Regime.STAFF and not self.person


def _treat(b: Beneficiary, scale: taxes.Scale) -> None:
    """Walk the year's operations in order: the vouchers' rule per operation, the yearly scale
    on the running total (each operation gets what it adds, so they sum to the year's)."""
    running = ZERO
    before = taxes.staff_split(total=ZERO, scale=scale)
    for op in sorted(b.operations, key=lambda o: (o.day, o.challenge.pk)):
        for a in op.awards:
            value = a.value_incl_vat
            if a.kind == RewardKind.CASH:
                op.cash += value
            else:
                op.in_kind += value
            if a.kind in VAT_GIFTS:
                op.gifts += value
            if a.kind == RewardKind.VOUCHER:
                op.vouchers += value
            else:
                op.general += value
        if b.regime != Regime.STAFF:
            continue
        if op.vouchers:
            b.voucher_operations += 1
            op.voucher_number = b.voucher_operations
            op.voucher_rule = taxes.voucher_split(value=op.vouchers, scale=taxes.scale_on(op.day))
            if op.voucher_rule.general:
                op.general += op.vouchers
            else:
                op.contribution += op.voucher_rule.contribution
                b.voucher_contribution += op.voucher_rule.contribution
        running += op.general
        after = taxes.staff_split(total=running, scale=scale)
        op.contribution += after.contribution - before.contribution
        op.excess = after.excess - before.excess
        before = after
    if b.regime == Regime.STAFF:
        b.staff = before
        b.voucher_warning = taxes.voucher_warning(operations=b.voucher_operations, scale=scale)


def _gather(awards: Iterable[Award], year: int) -> list[Beneficiary]:
    people: dict[tuple[int, str], Beneficiary] = {}
    for a in awards:
        key = (a.partner_id, a.person)
        b = people.get(key)
        if b is None:
            b = people[key] = Beneficiary(a.partner, a.person, year, regime_of(a.partner))
        op = next((o for o in b.operations if o.challenge.pk == a.challenge_id), None)
        if op is None:
            op = Operation(a.challenge, a.awarded_on, [])
            b.operations.append(op)
        op.awards.append(a)
        op.day = max(op.day, a.awarded_on)
    scale = taxes.year_scale(year)
    cap = legal_value("gift_vat_cap", date(year, 12, 31))
    rows = list(people.values())
    for b in rows:
        _treat(b, scale)
        b.gifts_year = sum((op.gifts for op in b.operations), ZERO)
    _add_commission_gifts(rows, year)
    for b in rows:
        b.vat_not_recoverable = b.gifts_year > cap
    return sorted(rows, key=lambda b: (b.partner.display_name.lower(), b.person, b.partner.pk))


def _add_commission_gifts(rows: list[Beneficiary], year: int) -> None:
    """An introducer's gifts taken instead of cash (the commissions' redemptions) share the
    73 € cap with the challenges' gifts."""
    start, end = year_bounds(year)
    ids = [b.partner.pk for b in rows if b.regime == Regime.INTRODUCER]
    if not ids:
        return
    redeemed = dict(
        Redemption.objects.filter(
            partner_id__in=ids,
            status=RedemptionStatus.DELIVERED,
            delivered_at__gte=start,
            delivered_at__lt=end,
        )
        .values("partner_id")
        .annotate(s=Sum("value_incl_vat"))
        .values_list("partner_id", "s")
    )
    for b in rows:
        if b.regime == Regime.INTRODUCER:
            b.gifts_year = cents(b.gifts_year + (redeemed.get(b.partner.pk) or ZERO))


def _awards(year: int) -> QuerySet[Award]:
    return (
        Award.objects.filter(awarded_on__year=year)
        .select_related("partner", "challenge")
        .order_by("awarded_on", "challenge_id", "pk")
    )


def rewards_year(*, year: int) -> list[Beneficiary]:
    """Every beneficiary's rewards of the calendar year, with the contribution due."""
    return _gather(_awards(year), year)


@dataclass(frozen=True)
class ChallengeRow:
    """One beneficiary's share of a challenge: this operation, within their year."""

    beneficiary: Beneficiary
    operation: Operation


def rewards_of_challenge(*, challenge: Challenge) -> list[ChallengeRow]:
    """The challenge's beneficiaries, each with what this challenge adds to their year (their
    other rewards of the year come first or after as their dates say)."""
    mine = Award.objects.filter(challenge=challenge)
    years = sorted(set(mine.dates("awarded_on", "year")))
    rows = []
    for day in years:
        people = set(mine.filter(awarded_on__year=day.year).values_list("partner_id", "person"))
        partners = {pk for pk, _person in people}
        awards = list(_awards(day.year).filter(partner_id__in=partners))
        for b in _gather([a for a in awards if (a.partner_id, a.person) in people], day.year):
            op = next(o for o in b.operations if o.challenge.pk == challenge.pk)
            rows.append(ChallengeRow(b, op))
    return rows


# --- the accountant's table --------------------------------------------------------------------


def treatment_headers() -> list[str]:
    return [
        _("Year"),
        _("Beneficiary"),
        _("SIRET"),
        _("Staff member"),
        _("Treatment"),
        _("Rewards incl. VAT"),
        _("Cash"),
        _("In kind incl. VAT"),
        _("Exempt (L242-1-4)"),
        _("Base of the flat contribution"),
        _("Flat contribution"),
        _("Excess: ordinary contributions"),
        _("Voucher operations"),
        _("Voucher contribution"),
        _("Contribution due"),
        _("DAS2 benefits in kind"),
        _("Gifts of the year incl. VAT"),
        _("VAT not recoverable"),
        _("Warnings"),
    ]


def treatment_rows(beneficiaries: Collection[Beneficiary]) -> Iterable[list[object]]:
    for b in beneficiaries:
        warnings = []
        if b.voucher_warning:
            warnings.append(_("5 voucher operations or more: URSSAF presumes abuse"))
        if b.name_missing:
            warnings.append(_("Name the staff member: figures are per person"))
        if b.excess:
            warnings.append(_("Excess subject to ordinary contributions"))
        staff = b.staff
        yield [
            b.year,
            b.partner.display_name,
            b.partner.siret,
            b.person,
            b.regime.label,
            cents(b.total),
            cents(b.cash),
            cents(b.in_kind),
            staff.exempt if staff else "",
            staff.flat_base if staff else "",
            staff.contribution if staff else "",
            staff.excess if staff else "",
            b.voucher_operations if staff else "",
            b.voucher_contribution if staff else "",
            b.contribution_due,
            cents(b.in_kind) if b.regime == Regime.INTRODUCER else "",
            b.gifts_year,
            _("yes") if b.vat_not_recoverable else _("no"),
            " · ".join(warnings),
        ]


def award_benefits(
    start: datetime, end: datetime, partner_ids: Collection[int] | None
) -> dict[int, tuple[Decimal, Decimal]]:
    """The source registered with ``commissions.benefits``: each introducer's challenge rewards
    in kind incl. VAT, and of those the gifts (DAS2, the 73 € cap). Cash is not here: it is
    paid by a payment run and declared with it."""
    rows = (
        Award.objects.filter(
            awarded_on__gte=timezone.localdate(start),
            awarded_on__lt=timezone.localdate(end),
            partner__kind=PartnerKind.INTRODUCER,
        )
        .exclude(kind=RewardKind.CASH)
        .values_list("partner_id", "kind", "value_incl_vat")
    )
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=list(partner_ids))
    totals: dict[int, tuple[Decimal, Decimal]] = {}
    for pk, kind, value in rows:
        in_kind, gifts = totals.get(pk, (ZERO, ZERO))
        totals[pk] = (in_kind + value, gifts + (value if kind in VAT_GIFTS else ZERO))
    return totals
