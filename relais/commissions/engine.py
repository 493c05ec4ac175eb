"""The arithmetic of commission rules, on Decimal and free of the database.

Rounding: every amount is computed at full precision and rounded once, to the cent, half up
(``ROUND_HALF_UP``), when the line is made; caps apply before rounding. Tier rates are percents.
A progressive tier pays each slice of the base at the rate of the tier the slice falls in; the
"whole tier" option pays the whole period's base at the rate of the tier reached, less what the
period's earlier lines already paid (a catch-up line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from relais.commissions.choices import Formula, Period, TierBasis

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """The first and last day of the month, quarter or calendar year holding ``day``."""
    if period == Period.MONTH:
        start = day.replace(day=1)
        months = 1
    elif period == Period.QUARTER:
        start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        months = 3
    else:
        start, months = day.replace(month=1, day=1), 12
    month = start.month - 1 + months
    end = date(start.year + month // 12, month % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def _tiers(tiers: list[list[Any]]) -> list[tuple[Decimal, Decimal]]:
    return sorted((Decimal(str(frm)), Decimal(str(rate))) for frm, rate in tiers)


def rate_at(tiers: list[list[Any]], reached: Decimal) -> Decimal:
    """The rate of the highest tier whose threshold ``reached`` has reached."""
    rate = Decimal(0)
    for frm, tier_rate in _tiers(tiers):
        if reached >= frm:
            rate = tier_rate
    return rate


def progressive(tiers: list[list[Any]], before: Decimal, base: Decimal) -> Decimal:
    """Each slice of [before, before + base) at its own tier's rate."""
    bounds = _tiers(tiers)
    total, low, high = Decimal(0), before, before + base
    for index, (frm, rate) in enumerate(bounds):
        upper = bounds[index + 1][0] if index + 1 < len(bounds) else None
        start = max(low, frm)
        end = high if upper is None else min(high, upper)
        if end > start:
            total += (end - start) * rate / HUNDRED
    return total


@dataclass
class History:
    """What the partner already had from this rule in the period and the calendar year."""

    period_base: Decimal = Decimal(0)  # bases of the period's earlier lines
    period_count: int = 0
    period_paid: Decimal = Decimal(0)  # what those lines paid
    year_paid: Decimal = Decimal(0)  # net, for the yearly cap


@dataclass
class Outcome:
    amount: Decimal
    detail: dict[str, Any] = field(default_factory=dict)


def compute(rule: Any, base: Decimal | None, history: History) -> Outcome:
    """The line a rule gives for one event (before idempotency and holds)."""
    formula = Formula(rule.formula)
    detail: dict[str, Any] = {"formula": formula.value, "rule": rule.pk, "version": rule.version}
    if formula in (Formula.FIXED, Formula.BONUS):
        raw = Decimal(rule.amount)
    elif formula == Formula.PERCENT:
        raw = Decimal(base or 0) * Decimal(rule.rate) / HUNDRED
        detail["rate"] = str(rule.rate)
    elif formula == Formula.PROGRESSIVE:
        raw = _progressive(rule, Decimal(base or 0), history, detail)
    else:  # whole tier
        raw = _whole_tier(rule, Decimal(base or 0), history, detail)
    return Outcome(_capped(rule, raw, history, detail), detail)


def _progressive(rule: Any, base: Decimal, history: History, detail: dict[str, Any]) -> Decimal:
    if rule.tier_basis == TierBasis.COUNT:
        rank = Decimal(history.period_count + 1)
        rate = rate_at(rule.tiers, rank)
        detail.update(rank=int(rank), rate=str(rate))
        return base * rate / HUNDRED
    detail["before"] = str(history.period_base)
    return progressive(rule.tiers, history.period_base, base)


def _whole_tier(rule: Any, base: Decimal, history: History, detail: dict[str, Any]) -> Decimal:
    total = history.period_base + base
    reached = Decimal(history.period_count + 1) if rule.tier_basis == TierBasis.COUNT else total
    rate = rate_at(rule.tiers, reached)
    detail.update(reached=str(reached), rate=str(rate), already_paid=str(history.period_paid))
    return total * rate / HUNDRED - history.period_paid


def _capped(rule: Any, raw: Decimal, history: History, detail: dict[str, Any]) -> Decimal:
    amount = raw
    if rule.cap_per_deal is not None and amount > rule.cap_per_deal:
        amount = Decimal(rule.cap_per_deal)
        detail["capped"] = "deal"
    if rule.cap_per_year is not None:
        room = max(Decimal(rule.cap_per_year) - history.year_paid, Decimal(0))
        if amount > room:
            amount = room
            detail["capped"] = "year"
    return to_cents(amount)


def bonus_due(rule: Any, history_after: History) -> bool:
    """Whether the period's target is reached once this event is counted."""
    reached = (
        Decimal(history_after.period_count)
        if rule.tier_basis == TierBasis.COUNT
        else history_after.period_base
    )
    return rule.target is not None and reached >= Decimal(rule.target)
