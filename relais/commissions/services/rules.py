"""Plans and rules: validation, activation (refusing contradictions), new versions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.choices import Beneficiary, Formula, PlanStatus, Trigger
from relais.commissions.models import Plan, Rule
from relais.core.audit import audit_record
from relais.core.errors import DomainError

SCOPE = ("partner_kind", "group", "category_id", "partner_id")


def specificity(rule: Rule) -> int:
    """How narrow a rule's scope is: one partner beats a group, which beats a product, which beats
    a partner kind, which beats everyone. The narrowest matching rule is the one applied."""
    weights = {"partner_id": 8, "group": 4, "category_id": 2, "partner_kind": 1}
    return sum(w for f, w in weights.items() if getattr(rule, f))


def rule_check(rule: Rule) -> None:
    """Refuse a rule that cannot be computed, naming the field and why."""
    errors: dict[str, str] = {}
    formula = Formula(rule.formula)
    for name in ("amount", "rate", "cap_per_deal", "cap_per_year", "target"):
        value = getattr(rule, name)
        if value is not None and Decimal(value) < 0:
            errors[name] = _("Must not be negative.")
    if formula in (Formula.FIXED, Formula.BONUS) and rule.amount is None:
        errors["amount"] = _("An amount is required for this formula.")
    if formula == Formula.PERCENT and rule.rate is None:
        errors["rate"] = _("A rate is required for a percentage.")
    if formula in (Formula.PROGRESSIVE, Formula.WHOLE_TIER):
        errors.update(_tier_errors(rule.tiers))
    if formula == Formula.BONUS and rule.target is None:
        errors["target"] = _("A bonus needs a target.")
    needs_base = formula in (Formula.PERCENT, Formula.PROGRESSIVE, Formula.WHOLE_TIER)
    if needs_base and rule.trigger == Trigger.QUALIFIED:
        errors["trigger"] = _("A qualified lead has no amount: use a fixed amount.")
    if rule.valid_until and rule.valid_until < rule.valid_from:
        errors["valid_until"] = _("Ends before it starts.")
    if rule.beneficiary == Beneficiary.EMPLOYEE:
        errors.update(_employee_errors(rule))
    if errors:
        raise DomainError(
            _("The rule “%(name)s” cannot be used: %(why)s")
            % {"name": rule.name, "why": "; ".join(f"{k}: {v}" for k, v in errors.items())},
            code="invalid_rule",
            fields=errors,
        )


def _employee_errors(rule: Rule) -> dict[str, str]:
    """An internal bonus pays the colleague whose introduction brought a won deal: no partner
    scope, no target bonus (single level, one bonus per deal)."""
    errors: dict[str, str] = {}
    if rule.partner_kind or rule.group or rule.partner_id:
        errors["beneficiary"] = _("An employee's bonus cannot be limited to partners.")
    if rule.trigger != Trigger.WON:
        errors["trigger"] = _("An internal bonus is earned when the deal is won.")
    if rule.formula == Formula.BONUS:
        errors["formula"] = _("An internal bonus is paid per deal, not on a target.")
    return errors


def _tier_errors(tiers: Any) -> dict[str, str]:
    try:
        rows = [(Decimal(str(frm)), Decimal(str(rate))) for frm, rate in tiers]
    except (TypeError, ValueError, ArithmeticError):
        return {"tiers": _("Tiers are pairs of (from, rate %).")}
    if not rows or rows[0][0] != 0:
        return {"tiers": _("The first tier starts at 0.")}
    if any(b[0] <= a[0] for a, b in itertools.pairwise(rows)):
        return {"tiers": _("Tier thresholds must go up.")}
    if any(rate < 0 for _frm, rate in rows):
        return {"tiers": _("A tier rate must not be negative.")}
    return {}


def _overlap(a: Rule, b: Rule) -> bool:
    if (a.trigger, a.beneficiary) != (b.trigger, b.beneficiary):
        return False
    if (a.formula == Formula.BONUS) != (b.formula == Formula.BONUS) or a.code == b.code:
        return False
    far = date.max
    if a.valid_from > (b.valid_until or far) or b.valid_from > (a.valid_until or far):
        return False
    same_scope = all(getattr(a, f) == getattr(b, f) for f in SCOPE)
    return same_scope and a.formula != Formula.BONUS


@dataclass
class Conflict:
    rule: Rule
    other: Rule


def conflicts(rules: list[Rule]) -> list[Conflict]:
    """Pairs of rules with the same trigger, beneficiary and scope over overlapping dates: the
    engine could not say which one applies."""
    found = []
    for i, a in enumerate(rules):
        found += [Conflict(a, b) for b in rules[i + 1 :] if _overlap(a, b)]
    return found


def _refuse_conflicts(rules: list[Rule]) -> None:
    clash = conflicts(rules)
    if clash:
        c = clash[0]
        raise DomainError(
            _(
                "“%(a)s” and “%(b)s” pay the same partners for the same event over "
                "overlapping dates: end one before the other starts, or narrow its scope."
            )
            % {"a": c.rule, "b": c.other},
            code="overlapping_rules",
        )


def plan_activate(*, plan: Plan, actor: User | None) -> Plan:
    """Check every rule, and that none contradicts another (in this plan or an active one).
    A draft that is the next version of an active plan is merged into it instead (see
    ``_merge_version``); the plan returned is then the active one."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != PlanStatus.DRAFT:
            raise DomainError(_("Only a draft plan can be activated."), code="not_draft")
        rules = list(locked.rules.all())
        if not rules and locked.replaces_id is None:
            raise DomainError(_("This plan has no rule."), code="empty_plan")
        for rule in rules:
            rule_check(rule)
        if locked.replaces_id is not None:
            return _merge_version(locked, rules, actor)
        _refuse_conflicts(rules + list(Rule.objects.filter(plan__status=PlanStatus.ACTIVE)))
        locked.status = PlanStatus.ACTIVE
        locked.save(update_fields=["status", "updated_at"])
        audit_record(subject=locked, action="activated", actor=actor)
    return locked


# What a new version may change on a rule; code and plan identify it, dates are the version's.
VERSIONED = (
    "name",
    "trigger",
    "beneficiary",
    "formula",
    "amount",
    "rate",
    "tier_basis",
    "period",
    "tiers",
    "target",
    "partner_kind",
    "group",
    "category_id",
    "partner_id",
    "cap_per_deal",
    "cap_per_year",
    "valid_until",
)


def _merge_version(draft: Plan, rules: list[Rule], actor: User | None) -> Plan:
    """The draft's rules become the active plan's from the draft's date, in the caller's
    transaction: a changed rule is a new version (``rule_new_version``: same plan and code,
    so its caps and tiers go on counting), a new rule starts that day, and a rule the draft
    dropped ends the day before. Then the draft, merged, is deleted."""
    replaced = draft.replaces_id or 0
    target = Plan.objects.select_for_update().filter(pk=replaced).first()
    starting = draft.starts_on
    if target is None or target.status != PlanStatus.ACTIVE or starting is None:
        raise DomainError(
            _("“%(plan)s” is no longer active: this version has nothing to follow.")
            % {"plan": target or draft.name},
            code="not_active",
        )
    latest: dict[str, Rule] = {}
    for rule in target.rules.order_by("code", "-version"):
        latest.setdefault(rule.code, rule)
    changed = []
    for rule in rules:
        current = latest.pop(rule.code, None)
        if current is None or (current.valid_until and current.valid_until < starting):
            # A new rule, or one whose code an ended rule had: it starts that day.
            fresh = Rule.objects.get(pk=rule.pk)
            fresh.pk, fresh.plan, fresh.valid_from = None, target, starting
            fresh.version = current.version + 1 if current else 1
            fresh.save()
            changed.append(str(fresh))
            continue
        changes = {
            k: getattr(rule, k) for k in VERSIONED if getattr(rule, k) != getattr(current, k)
        }
        if changes:
            changed.append(
                str(rule_new_version(rule=current, changes=changes, starting=starting, actor=actor))
            )
    for dropped in latest.values():  # in force at the version's date, absent from the draft
        if dropped.valid_until is None or dropped.valid_until >= starting:
            dropped.valid_until = starting - timedelta(days=1)
            dropped.save(update_fields=["valid_until"])
            changed.append(str(dropped))
    others = Rule.objects.filter(plan__status=PlanStatus.ACTIVE).exclude(plan=target)
    _refuse_conflicts(list(target.rules.all()) + list(others))
    audit_record(
        subject=target,
        action="version_activated",
        actor=actor,
        target=draft.name,
        changes={"starts_on": [None, starting.isoformat()], "rules": [None, changed]},
    )
    draft.delete()
    return target


def rule_new_version(
    *, rule: Rule, changes: dict[str, Any], starting: date, actor: User | None
) -> Rule:
    """Change an active rule from a date: the current version ends the day before, the new one
    starts that day. Lines already made keep the version they were computed with."""
    if starting <= rule.valid_from:
        raise DomainError(
            _("A new version starts after the current one (%(day)s).")
            % {"day": rule.valid_from.isoformat()},
            code="version_date",
            fields={"valid_from": _("Too early.")},
        )
    with transaction.atomic():
        current = Rule.objects.select_for_update().get(pk=rule.pk)
        latest = current.plan.rules.filter(code=current.code).order_by("-version").first()
        if latest is None or latest.pk != current.pk:
            raise DomainError(_("Only the latest version can be changed."), code="not_latest")
        successor = Rule.objects.get(pk=current.pk)
        successor.pk = None
        successor.version = current.version + 1
        successor.valid_from = starting
        for name, value in changes.items():
            setattr(successor, name, value)
        rule_check(successor)
        current.valid_until = starting - timedelta(days=1)
        current.save(update_fields=["valid_until"])
        successor.save()
        audit_record(
            subject=current.plan,
            action="rule_version",
            actor=actor,
            target=str(successor),
            changes={k: [str(getattr(current, k)), str(v)] for k, v in changes.items()},
        )
    return successor
