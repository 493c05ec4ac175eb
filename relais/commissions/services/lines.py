"""Commission lines: made from events (idempotently), approved, released for payment, held and
released, and taken back by negative lines when a deal is refunded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.choices import (
    Beneficiary,
    Formula,
    LineKind,
    LineStatus,
    PlanStatus,
    Trigger,
)
from relais.commissions.engine import History, bonus_due, compute, period_bounds, to_cents
from relais.commissions.events import CommissionLinesCreated, CommissionLinesMoved
from relais.commissions.models import CommissionLine, Rule
from relais.commissions.services.rules import specificity
from relais.core import events
from relais.core.audit import audit_record, audits_record
from relais.core.errors import DomainError
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead, LeadEvent
from relais.partners.models import Partner

ZERO = Decimal(0)


@dataclass(frozen=True)
class Occasion:
    """An event that may earn commissions: which lead, what happened, on which base, when."""

    lead: Lead
    trigger: str
    key: str
    base: Decimal | None
    on: date


def matching_rules(
    partner: Partner, lead: Lead, trigger: str, beneficiary: str, on: date, rules: list[Rule]
) -> tuple[Rule | None, list[Rule]]:
    """The narrowest applicable rule (one) and the bonus rules (all) for this partner and event."""
    fitting = [
        r
        for r in rules
        if r.trigger == trigger
        and r.beneficiary == beneficiary
        and r.applies_on(on)
        and r.partner_kind in ("", partner.kind)
        and r.group in ("", partner.group)
        and r.category_id in (None, lead.category_id)
        and r.partner_id in (None, partner.pk)
    ]
    main = [r for r in fitting if r.formula != Formula.BONUS]
    bonuses = [r for r in fitting if r.formula == Formula.BONUS]
    best = max(main, key=lambda r: (specificity(r), r.valid_from, r.pk), default=None)
    return best, bonuses


def active_rules(trigger: str) -> list[Rule]:
    return list(Rule.objects.filter(plan__status=PlanStatus.ACTIVE, trigger=trigger))


def _same_rule(partner: Partner, rule: Rule) -> QuerySet[CommissionLine]:
    return CommissionLine.objects.filter(
        partner=partner, rule__plan=rule.plan_id, rule__code=rule.code
    )


def history(partner: Partner, rule: Rule, on: date) -> History:
    start, end = period_bounds(on, rule.period)
    same = _same_rule(partner, rule)
    period = same.filter(kind=LineKind.COMMISSION, earned_on__range=(start, end)).aggregate(
        base=Sum("base"), n=Count("pk"), paid=Sum("amount")
    )
    year = same.filter(earned_on__year=on.year).aggregate(paid=Sum("amount"))
    return History(
        period_base=period["base"] or ZERO,
        period_count=period["n"],
        period_paid=period["paid"] or ZERO,
        year_paid=year["paid"] or ZERO,
    )


def _suspicion(lead: Lead) -> str:
    if lead.duplicate_of_id:
        return _("Possible duplicate of lead %(id)s") % {"id": lead.duplicate_of_id}
    if lead.review_reason:
        return str(lead.get_review_reason_display())
    return ""


def lines_accrue(*, occasion: Occasion) -> list[CommissionLine]:
    """Lines for the lead's introducer and reseller. Safe to run twice: a line is unique per
    event, partner and rule. The partner's row lock serialises its tiers, caps and bonuses."""
    lead, made = occasion.lead, []
    rules = active_rules(occasion.trigger)
    if not rules:
        return []
    payees = (
        (Beneficiary.INTRODUCER, lead.partner_id),
        (Beneficiary.RESELLER, lead.assigned_reseller_id),
    )
    for beneficiary, partner_id in payees:
        if partner_id is None:
            continue
        with transaction.atomic():
            partner = Partner.objects.select_for_update().get(pk=partner_id)
            main, bonuses = matching_rules(
                partner, lead, occasion.trigger, beneficiary, occasion.on, rules
            )
            if main is not None:
                line = _line(partner, main, occasion)
                made += [line] if line else []
            for bonus in bonuses:
                line = _bonus(partner, bonus, beneficiary, occasion)
                made += [line] if line else []
    return made


def _published(**fields: Any) -> CommissionLine:
    """Write a line and its ``CommissionLinesCreated`` event in the caller's transaction."""
    line = CommissionLine.objects.create(**fields)
    events.publish(CommissionLinesCreated(line_ids=[line.pk]))
    return line


def _line(partner: Partner, rule: Rule, occasion: Occasion) -> CommissionLine | None:
    existing = CommissionLine.objects.filter(event_key=occasion.key, partner=partner, rule=rule)
    if existing.exists():
        return existing.get()
    outcome = compute(rule, occasion.base, history(partner, rule, occasion.on))
    if outcome.amount == 0:
        return None
    return _published(
        partner=partner,
        lead=occasion.lead,
        rule=rule,
        event_key=occasion.key,
        kind=LineKind.COMMISSION,
        base=occasion.base,
        amount=outcome.amount,
        detail=outcome.detail,
        earned_on=occasion.on,
        hold_reason=_suspicion(occasion.lead),
    )


def _progress(partner: Partner, rule: Rule, beneficiary: str, start: date, end: date) -> History:
    """Deals (or leads) of the period counted towards a bonus target, from the leads themselves."""
    field = "partner" if beneficiary == Beneficiary.INTRODUCER else "assigned_reseller"
    leads = Lead.objects.filter(**{field: partner})
    if rule.trigger == Trigger.QUALIFIED:
        leads = leads.filter(qualified_at__date__range=(start, end))
        done = leads.aggregate(n=Count("pk"))
        return History(period_count=done["n"])
    leads = leads.filter(status=LeadStatus.WON, won_date__range=(start, end))
    amount = "collected_amount" if rule.trigger == Trigger.COLLECTED else "won_amount"
    done = leads.aggregate(n=Count("pk"), total=Sum(amount))
    return History(period_base=done["total"] or ZERO, period_count=done["n"])


def _bonus(
    partner: Partner, rule: Rule, beneficiary: str, occasion: Occasion
) -> CommissionLine | None:
    start, end = period_bounds(occasion.on, rule.period)
    key = f"bonus:{rule.code}:{start.isoformat()}"
    if _same_rule(partner, rule).filter(event_key=key).exists():
        return None  # one bonus per period, whichever version
    if not bonus_due(rule, _progress(partner, rule, beneficiary, start, end)):
        return None
    outcome = compute(rule, None, history(partner, rule, occasion.on))  # caps apply to bonuses
    if outcome.amount == 0:
        return None
    outcome.detail.update(target=str(rule.target), period=[start.isoformat(), end.isoformat()])
    return _published(
        partner=partner,
        rule=rule,
        event_key=key,
        kind=LineKind.BONUS,
        amount=outcome.amount,
        detail=outcome.detail,
        earned_on=occasion.on,
    )


def lines_claw_back(*, lead: Lead, event: LeadEvent) -> list[CommissionLine]:
    """A refund (or a cancellation: a refund of everything) takes back, in proportion, what the
    lead's sale earned. Each earned line gets a negative line; nothing is edited."""
    refund = Decimal(event.data["amount"])
    won = lead.won_amount or ZERO
    if won <= 0:
        return []
    ratio = min(refund / won, Decimal(1))
    made = []
    earned = CommissionLine.objects.filter(
        lead=lead, kind=LineKind.COMMISSION, rule__trigger__in=(Trigger.WON, Trigger.COLLECTED)
    ).order_by("pk")
    for line in earned:
        with transaction.atomic():
            Partner.objects.select_for_update().get(pk=line.partner_id)
            key = f"refund:{event.pk}:{line.pk}"
            if CommissionLine.objects.filter(event_key=key).exists():
                continue
            left = line.amount + (line.reversals.aggregate(s=Sum("amount"))["s"] or ZERO)
            amount = min(to_cents(line.amount * ratio), left)
            if amount <= 0:
                continue
            made.append(
                _published(
                    partner_id=line.partner_id,
                    lead=lead,
                    rule=line.rule,
                    event_key=key,
                    kind=LineKind.CLAWBACK,
                    base=-to_cents(refund),
                    amount=-amount,
                    detail={"refund": str(refund), "won": str(won), "ratio": str(ratio)},
                    earned_on=timezone.localdate(),
                    reverses=line,
                )
            )
    return made


# --- lifecycle ---------------------------------------------------------------------------------


def _move(ids: list[int], src: str, dst: str, actor: User | None, **extra: Any) -> int:
    """Move the lines in ``src`` among ``ids`` to ``dst``, all or none, audited per line."""
    with transaction.atomic():
        lines = list(CommissionLine.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        wrong = [line for line in lines if line.status != src or line.hold_reason]
        if wrong or len(lines) != len(set(ids)):
            raise DomainError(
                _("%(n)s of these lines are not %(status)s, or are on hold: nothing was changed.")
                % {"n": len(wrong) + len(set(ids)) - len(lines), "status": LineStatus(src).label},
                code="wrong_status",
            )
        CommissionLine.objects.filter(pk__in=ids).update(status=dst, **extra)
        events.publish(CommissionLinesMoved(sorted(line.pk for line in lines), src, dst))
        audits_record(subjects=lines, action=dst, actor=actor, changes={"status": [src, dst]})
    return len(lines)


def lines_approve(*, ids: list[int], actor: User | None) -> int:
    return _move(
        ids,
        LineStatus.PENDING,
        LineStatus.APPROVED,
        actor,
        approved_at=timezone.now(),
        approved_by=actor,
    )


def lines_release(*, ids: list[int], actor: User | None) -> int:
    """Approved lines become payable: the next payment run takes them."""
    return _move(ids, LineStatus.APPROVED, LineStatus.PAYABLE, actor)


def line_hold(*, line: CommissionLine, reason: str, actor: User | None) -> None:
    if not reason.strip():
        raise DomainError(_("Say why the line is held."), code="reason_required")
    with transaction.atomic():
        locked = CommissionLine.objects.select_for_update().get(pk=line.pk)
        if locked.status == LineStatus.PAID or locked.payment_run_id:
            raise DomainError(_("A line in a payment run cannot be held."), code="in_run")
        CommissionLine.objects.filter(pk=line.pk).update(hold_reason=reason.strip()[:200])
        audit_record(subject=locked, action="held", actor=actor, reason=reason.strip())


def line_unhold(*, line: CommissionLine, actor: User | None, note: str = "") -> None:
    with transaction.atomic():
        locked = CommissionLine.objects.select_for_update().get(pk=line.pk)
        if not locked.hold_reason:
            raise DomainError(_("This line is not on hold."), code="not_held")
        CommissionLine.objects.filter(pk=line.pk).update(hold_reason="")
        audit_record(
            subject=locked,
            action="released",
            actor=actor,
            reason=note,
            changes={"hold_reason": [locked.hold_reason, ""]},
        )
