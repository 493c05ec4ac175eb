"""Internal referral bonuses: computed by the rule engine from the active rules whose payee is
an employee, approved by a manager, handed to payroll in an export. They never meet partners'
commission lines (no payment run, no SEPA, no statement, no invoice, no DAS2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.choices import Beneficiary, EmployeeBonusStatus, PlanStatus, Trigger
from relais.commissions.engine import History, compute, period_bounds, to_cents
from relais.commissions.models import EmployeeBonus, PayrollExport, Rule
from relais.commissions.services.rules import specificity
from relais.core.audit import audits_record
from relais.core.errors import DomainError
from relais.leads.models import Lead, LeadEvent

ZERO = Decimal(0)


def _employee_rule(lead: Lead, on: date) -> Rule | None:
    """The narrowest active employee rule for a won deal of this lead's product on that day."""
    rules = Rule.objects.filter(
        plan__status=PlanStatus.ACTIVE, beneficiary=Beneficiary.EMPLOYEE, trigger=Trigger.WON
    )
    fitting = [r for r in rules if r.applies_on(on) and r.category_id in (None, lead.category_id)]
    return max(fitting, key=lambda r: (specificity(r), r.valid_from, r.pk), default=None)


def _history(employee: User, rule: Rule, on: date) -> History:
    start, end = period_bounds(on, rule.period)
    same = EmployeeBonus.objects.filter(
        employee=employee, rule__plan=rule.plan_id, rule__code=rule.code
    ).exclude(status=EmployeeBonusStatus.CANCELLED)
    period = same.filter(earned_on__range=(start, end)).aggregate(
        base=Sum("base"), n=Count("pk"), paid=Sum("amount")
    )
    year = same.filter(earned_on__year=on.year).aggregate(paid=Sum("amount"))
    return History(
        period_base=period["base"] or ZERO,
        period_count=period["n"],
        period_paid=period["paid"] or ZERO,
        year_paid=year["paid"] or ZERO,
    )


def employee_bonus_accrue(
    *, employee: User, lead: Lead, key: str, base: Decimal | None, on: date, source: str = ""
) -> EmployeeBonus | None:
    """The bonus an employee earns for a won deal their introduction brought, or None when no
    active rule pays one. Safe to run twice: one bonus per event, employee and rule (the unique
    constraint), and the employee's row lock serialises their tiers and yearly cap."""
    if not employee.is_staff_member:
        raise DomainError(_("Only an employee earns an internal bonus."), code="not_employee")
    rule = _employee_rule(lead, on)
    if rule is None:
        return None
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=employee.pk).first()
        existing = EmployeeBonus.objects.filter(event_key=key, employee=employee, rule=rule)
        if existing.exists():
            return existing.get()
        outcome = compute(rule, base, _history(employee, rule, on))
        if outcome.amount == 0:
            return None
        return EmployeeBonus.objects.create(
            employee=employee,
            lead=lead,
            rule=rule,
            event_key=key,
            source=source[:200],
            base=base,
            amount=outcome.amount,
            detail=outcome.detail,
            earned_on=on,
        )


def employee_bonuses_claw_back(*, lead: Lead, event: LeadEvent) -> list[EmployeeBonus]:
    """A refund (a cancellation: a refund of everything) takes back, in proportion, the internal
    bonuses the lead's sale earned, as the partners' lines are. A bonus not yet sent to payroll
    and refunded in full is cancelled (it never reaches payroll); otherwise a negative correction
    row reverses the share refunded: approved when the bonus was already exported, so the next
    payroll export deducts it; with the bonus's own status when not. Once per refund event."""
    refund = Decimal(event.data["amount"])
    won = lead.won_amount or ZERO
    if won <= 0:
        return []
    ratio = min(refund / won, Decimal(1))
    made = []
    earned = EmployeeBonus.objects.filter(lead=lead, reverses__isnull=True, amount__gt=0)
    for bonus_id in earned.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            bonus = EmployeeBonus.objects.select_for_update().get(pk=bonus_id)
            key = f"refund:{event.pk}:{bonus.pk}"
            if (
                bonus.status == EmployeeBonusStatus.CANCELLED
                or bonus.reversals.filter(event_key=key).exists()
            ):
                continue
            left = bonus.amount + (bonus.reversals.aggregate(s=Sum("amount"))["s"] or ZERO)
            amount = min(to_cents(bonus.amount * ratio), left)
            if amount <= 0:
                continue
            unpaid = bonus.status in (EmployeeBonusStatus.PENDING, EmployeeBonusStatus.APPROVED)
            if unpaid and amount == left == bonus.amount:
                bonus.status = EmployeeBonusStatus.CANCELLED
                bonus.save(update_fields=["status"])
                audits_record(
                    subjects=[bonus],
                    action="cancelled",
                    actor=None,
                    changes={"refund": [None, str(refund)]},
                )
                made.append(bonus)
                continue
            status = EmployeeBonusStatus.APPROVED if not unpaid else bonus.status
            made.append(
                EmployeeBonus.objects.create(
                    employee_id=bonus.employee_id,
                    lead=lead,
                    rule_id=bonus.rule_id,
                    event_key=key,
                    source=bonus.source,
                    base=-to_cents(refund),
                    amount=-amount,
                    detail={"refund": str(refund), "won": str(won), "ratio": str(ratio)},
                    earned_on=timezone.localdate(),
                    status=status,
                    approved_at=bonus.approved_at if status == bonus.status else timezone.now(),
                    reverses=bonus,
                )
            )
    return made


def employee_bonuses_approve(*, ids: list[int], actor: User) -> int:
    """Pending bonuses become approved, all or none, audited per bonus."""
    with transaction.atomic():
        bonuses = list(EmployeeBonus.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        wrong = [b for b in bonuses if b.status != EmployeeBonusStatus.PENDING]
        if wrong or len(bonuses) != len(set(ids)) or not bonuses:
            raise DomainError(
                _("%(n)s of these bonuses are not pending: nothing was changed.")
                % {"n": len(wrong) + len(set(ids)) - len(bonuses)},
                code="wrong_status",
            )
        EmployeeBonus.objects.filter(pk__in=ids).update(
            status=EmployeeBonusStatus.APPROVED, approved_at=timezone.now(), approved_by=actor
        )
        audits_record(
            subjects=bonuses,
            action="approved",
            actor=actor,
            changes={"status": [EmployeeBonusStatus.PENDING, EmployeeBonusStatus.APPROVED]},
        )
    return len(bonuses)


def payroll_export_create(*, actor: User) -> PayrollExport:
    """Every approved bonus not yet exported goes into one export, under their row locks, so a
    bonus reaches payroll once even when two managers export at the same moment."""
    with transaction.atomic():
        bonuses = list(
            EmployeeBonus.objects.select_for_update()
            .filter(status=EmployeeBonusStatus.APPROVED, export__isnull=True)
            .order_by("pk")
        )
        if not bonuses:
            raise DomainError(_("No approved bonus is waiting for payroll."), code="nothing")
        export = PayrollExport.objects.create(
            created_by=actor,
            total=sum((b.amount for b in bonuses), ZERO),
            count=len(bonuses),
        )
        EmployeeBonus.objects.filter(pk__in=[b.pk for b in bonuses]).update(
            status=EmployeeBonusStatus.EXPORTED, export=export
        )
        audits_record(subjects=bonuses, action="exported", actor=actor, changes={})
    return export
