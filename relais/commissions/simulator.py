"""What a (draft) plan would have paid on a past period, computed in memory from the period's
qualified and won leads, in the order they happened, with the same engine as the real lines.
Nothing is written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from relais.commissions.choices import Beneficiary, Formula, TierBasis, Trigger
from relais.commissions.engine import History, compute, period_bounds
from relais.commissions.models import Plan, Rule
from relais.commissions.services.lines import matching_rules
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.partners.models import Partner


@dataclass
class Simulation:
    plan: Plan
    start: date
    end: date
    lines: int = 0
    total: Decimal = Decimal("0.00")
    by_partner: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    names: dict[int, str] = field(default_factory=dict)

    def top(self, n: int = 20) -> list[tuple[str, Decimal]]:
        ranked = sorted(self.by_partner.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(self.names.get(pk, str(pk)), amount) for pk, amount in ranked[:n]]


def _events(start: date, end: date) -> list[tuple[date, str, Lead]]:
    events: list[tuple[date, str, Lead]]
    leads = Lead.objects.select_related("partner", "assigned_reseller")
    events = [
        (timezone.localdate(lead.qualified_at or timezone.now()), Trigger.QUALIFIED, lead)
        for lead in leads.filter(qualified_at__date__range=(start, end))
    ]
    events += [
        (lead.won_date or start, Trigger.WON, lead)
        for lead in leads.filter(status=LeadStatus.WON, won_date__range=(start, end))
    ]
    return sorted(events, key=lambda e: (e[0], e[2].pk))


def simulate(
    plan: Plan,
    start: date,
    end: date,
    *,
    rules: list[Rule] | None = None,
    whole_period: bool = False,
) -> Simulation:
    """``rules``: these instead of the plan's. ``whole_period``: each rule as if in force over
    the whole period, whatever its dates (a new version starts after the past period it is
    tried on; the rules it replaces are compared the same way). Nothing is saved."""
    rules = list(Rule.objects.filter(plan=plan)) if rules is None else list(rules)
    if whole_period:
        for rule in rules:  # in memory only
            rule.valid_from, rule.valid_until = date.min, None
    result = Simulation(plan, start, end)
    memory: dict[tuple[int, str, date], History] = defaultdict(History)
    bonus_paid: set[tuple[int, str, date]] = set()
    for day, trigger, lead in _events(start, end):
        base = lead.won_amount if trigger == Trigger.WON else None
        for beneficiary, partner in (
            (Beneficiary.INTRODUCER, lead.partner),
            (Beneficiary.RESELLER, lead.assigned_reseller),
        ):
            if partner is None:
                continue
            main, bonuses = matching_rules(partner, lead, trigger, beneficiary, day, rules)
            if main is not None:
                _add(result, memory, partner, main, base, day)
            for bonus in bonuses:
                _bonus(result, memory, bonus_paid, partner, bonus, base, day)
    return result


def _add(
    result: Simulation,
    memory: dict[tuple[int, str, date], History],
    partner: Partner,
    rule: Rule,
    base: Decimal | None,
    day: date,
) -> None:
    key = (partner.pk, rule.code, period_bounds(day, rule.period)[0])
    history = memory[key]
    amount = compute(rule, base, history).amount
    history.period_base += base or 0
    history.period_count += 1
    history.period_paid += amount
    history.year_paid += amount  # periods of a year: close enough for a what-if on caps
    if amount:
        result.lines += 1
        result.total += amount
        result.by_partner[partner.pk] += amount
        result.names[partner.pk] = partner.display_name


def _bonus(
    result: Simulation,
    memory: dict[tuple[int, str, date], History],
    paid: set[tuple[int, str, date]],
    partner: Partner,
    rule: Rule,
    base: Decimal | None,
    day: date,
) -> None:
    key = (partner.pk, f"bonus:{rule.code}", period_bounds(day, rule.period)[0])
    progress = memory[key]
    progress.period_count += 1
    progress.period_base += base or 0
    reached = progress.period_count if rule.tier_basis == TierBasis.COUNT else progress.period_base
    if key not in paid and rule.formula == Formula.BONUS and reached >= (rule.target or 0):
        paid.add(key)
        amount = Decimal(rule.amount or 0)
        result.lines += 1
        result.total += amount
        result.by_partner[partner.pk] += amount
        result.names[partner.pk] = partner.display_name
