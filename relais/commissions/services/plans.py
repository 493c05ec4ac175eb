"""Editing commission plans in the product: a draft plan and its rules, and the next version of
an active plan from a date. Each write is audited on the plan. Rules are checked as activation
checks them (``rules.rule_check``), so a refusal names the field at once; an active plan is
never edited (its change is a new version, ``plan_new_version``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.choices import PlanStatus
from relais.commissions.models import Plan, Rule
from relais.commissions.services.rules import VERSIONED, rule_check
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.textcheck import refuse_bad_text

# What a manager sets on a rule (code and version identify it, the plan holds it): what a new
# version may change, foreign keys as the objects a form gives, and the version's start.
RULE_FIELDS = (*(name.removesuffix("_id") for name in VERSIONED), "valid_from")


def _draft(plan: Plan) -> Plan:
    """The plan, locked, if it is still a draft; refused otherwise."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise DomainError(
            _("This plan is %(status)s: only a draft is edited; make a new version instead.")
            % {"status": PlanStatus(locked.status).label},
            code="not_draft",
        )
    return locked


def _named(name: str, description: str) -> tuple[str, str]:
    name, description = name.strip(), description.strip()
    refuse_bad_text(Plan, {"name": name, "description": description})
    if not name:
        raise DomainError(
            _("Give the plan a name."), code="name_required", fields={"name": _("Required.")}
        )
    return name, description


def plan_create(*, name: str, description: str = "", actor: User | None) -> Plan:
    """A new, empty draft plan."""
    name, description = _named(name, description)
    with transaction.atomic():
        plan = Plan.objects.create(name=name, description=description)
        audit_record(subject=plan, action="created", actor=actor, target=name)
    return plan


def plan_update(*, plan: Plan, name: str, description: str, actor: User | None) -> Plan:
    """Rename a draft plan or change its description."""
    name, description = _named(name, description)
    with transaction.atomic():
        locked = _draft(plan)
        changes = {
            k: [getattr(locked, k), v]
            for k, v in (("name", name), ("description", description))
            if getattr(locked, k) != v
        }
        locked.name, locked.description = name, description
        locked.save(update_fields=["name", "description", "updated_at"])
        audit_record(subject=locked, action="updated", actor=actor, changes=changes)
    return locked


def plan_discard(*, plan: Plan, actor: User | None) -> None:
    """Delete a draft plan and its rules (nothing was ever computed with a draft)."""
    with transaction.atomic():
        locked = _draft(plan)
        # Audited on the plan it was a version of, if any: the draft's own history goes.
        audit_record(
            subject=locked.replaces or locked,
            action="draft_discarded",
            actor=actor,
            target=locked.name,
        )
        locked.delete()


def _fill(rule: Rule, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(RULE_FIELDS) - {"code"}
    if unknown:
        raise ValueError(f"not rule fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.name = (rule.name or "").strip()
    if not rule.name:
        raise DomainError(
            _("Give the rule a name."), code="name_required", fields={"name": _("Required.")}
        )
    rule.code = slugify(rule.code or rule.name)[:40] or "regle"
    rule.tiers = rule.tiers or []
    refuse_bad_text(Rule, {"name": rule.name, "group": rule.group})


def _code_free(plan: Plan, rule: Rule) -> None:
    taken = plan.rules.filter(code=rule.code).exclude(pk=rule.pk).exists()
    if taken:
        raise DomainError(
            _("Another rule of this plan has the code “%(code)s”.") % {"code": rule.code},
            code="code_taken",
            fields={"code": _("Already used in this plan.")},
        )


def _version_start(plan: Plan, rule: Rule) -> None:
    """A new version's rules start on its date: what is earned before stays on the old one."""
    if plan.starts_on is not None and rule.valid_from != plan.starts_on:
        raise DomainError(
            _("The rules of this new version start on %(day)s, the version's date.")
            % {"day": date_format(plan.starts_on, "SHORT_DATE_FORMAT")},
            code="version_date",
            fields={"valid_from": _("The version's date.")},
        )


def rule_create(*, plan: Plan, fields: dict[str, Any], actor: User | None) -> Rule:
    """A rule of a draft plan, checked as activation will check it."""
    with transaction.atomic():
        locked = _draft(plan)
        rule = Rule(plan=locked)
        _fill(rule, {"valid_from": locked.starts_on, **fields})
        _version_start(locked, rule)
        rule_check(rule)
        _code_free(locked, rule)
        rule.save()
        audit_record(subject=locked, action="rule_created", actor=actor, target=str(rule))
    return rule


def rule_update(*, rule: Rule, fields: dict[str, Any], actor: User | None) -> Rule:
    """Change a rule of a draft plan. A rule copied into a new version keeps its code, which
    links it to the active rule it will follow."""
    with transaction.atomic():
        locked = _draft(rule.plan)
        current = Rule.objects.select_for_update().get(pk=rule.pk, plan=locked)
        if locked.replaces_id and "code" in fields and fields["code"] != current.code:
            fields = {k: v for k, v in fields.items() if k != "code"}
        before = {name: str(getattr(current, name)) for name in RULE_FIELDS}
        _fill(current, fields)
        _version_start(locked, current)
        rule_check(current)
        _code_free(locked, current)
        current.save()
        changes = {
            name: [before[name], str(getattr(current, name))]
            for name in RULE_FIELDS
            if before[name] != str(getattr(current, name))
        }
        audit_record(
            subject=locked,
            action="rule_updated",
            actor=actor,
            target=str(current),
            changes=changes,
        )
    return current


def rule_delete(*, rule: Rule, actor: User | None) -> None:
    """Take a rule out of a draft plan (in a new version: the active rule ends at its date)."""
    with transaction.atomic():
        locked = _draft(rule.plan)
        Rule.objects.filter(pk=rule.pk, plan=locked).delete()
        audit_record(subject=locked, action="rule_deleted", actor=actor, target=str(rule))


def current_rules(plan: Plan, on: date) -> list[Rule]:
    """The latest version of each of the plan's rules that still applies on ``on`` or after."""
    latest: dict[str, Rule] = {}
    for rule in plan.rules.order_by("code", "-version"):
        latest.setdefault(rule.code, rule)
    return [r for r in latest.values() if r.valid_until is None or r.valid_until >= on]


def plan_new_version(*, plan: Plan, starts_on: date, actor: User | None) -> Plan:
    """The next version of an active plan from ``starts_on``: a draft holding a copy of each
    rule still in force then, starting that day, to change, simulate and activate. The
    active plan goes on unchanged until the draft is activated."""
    today = timezone.localdate()
    if starts_on < today:
        raise DomainError(
            _("A new version starts today or later: lines already earned keep their rules."),
            code="version_date",
            fields={"starts_on": _("Today or later.")},
        )
    with transaction.atomic():
        active = Plan.objects.select_for_update().get(pk=plan.pk)
        if active.status != PlanStatus.ACTIVE:
            raise DomainError(
                _("Only an active plan gets a new version; a draft is edited as it is."),
                code="not_active",
            )
        rules = current_rules(active, starts_on)
        late = [r for r in rules if r.valid_from >= starts_on]
        if late:
            raise DomainError(
                _("“%(rule)s” starts on %(day)s: a new version starts after it.")
                % {"rule": late[0], "day": date_format(late[0].valid_from, "SHORT_DATE_FORMAT")},
                code="version_date",
                fields={"starts_on": _("After the rules' own start.")},
            )
        when = date_format(starts_on, "SHORT_DATE_FORMAT")
        draft = Plan.objects.create(
            name=_("%(name)s from %(day)s") % {"name": active.name, "day": when},
            description=active.description,
            replaces=active,
            starts_on=starts_on,
        )
        for rule in rules:
            copy = Rule(plan=draft, code=rule.code, version=1)
            for name in RULE_FIELDS:
                setattr(copy, name, getattr(rule, name))
            copy.valid_from = starts_on
            copy.save()
        audit_record(
            subject=active,
            action="version_drafted",
            actor=actor,
            target=draft.name,
            changes={"starts_on": [None, starts_on.isoformat()]},
        )
    return draft
