"""Reads of commissions, scoped: the manager's figures, and a partner's own earnings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateField, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from relais.accounts.models import User
from relais.commissions.choices import LineStatus, RunStatus
from relais.commissions.models import (
    CommissionLine,
    CorrectionRequest,
    EmployeeBonus,
    Invoice,
    PaymentItem,
    PaymentRun,
    PayrollExport,
    Plan,
    Redemption,
    Rule,
    VigilanceCertificate,
)
from relais.commissions.tax import regular_activity_partners
from relais.core.params import legal_value
from relais.partners.models import Partner
from relais.partners.selectors import LIVE, of_visible_partners

ZERO = Decimal(0)


def by_status(lines: QuerySet[CommissionLine]) -> dict[str, Decimal]:
    rows = lines.values("status").annotate(s=Sum("amount"))
    totals = dict.fromkeys(LineStatus.values, ZERO)
    totals.update({r["status"]: r["s"] or ZERO for r in rows})
    return totals


def by_month(lines: QuerySet[CommissionLine], months: int = 12) -> list[dict[str, Any]]:
    """Earned and paid per month over the last ``months`` months, oldest first.

    Earned counts a line in the month it was earned, paid in the month it was paid (Paris
    time): a line earned last year and paid in July shows in July's "paid", not nowhere."""
    today = timezone.localdate()
    first = today.year * 12 + today.month - 1 - (months - 1)  # the oldest month shown, counted
    since = date(first // 12, first % 12 + 1, 1)
    earned = (
        lines.filter(earned_on__gte=since)
        .annotate(month=TruncMonth("earned_on"))
        .values("month")
        .annotate(s=Sum("amount"))
        .values_list("month", "s")
        .order_by()
    )
    paid = (
        lines.filter(status=LineStatus.PAID, paid_at__date__gte=since)
        .annotate(month=TruncMonth("paid_at", output_field=DateField()))
        .values("month")
        .annotate(s=Sum("amount"))
        .values_list("month", "s")
        .order_by()
    )
    table: dict[date, dict[str, Any]] = {}
    for column, rows in (("earned", earned), ("paid", paid)):
        for month, amount in rows:
            row = table.setdefault(month, {"month": month, "earned": ZERO, "paid": ZERO})
            row[column] = amount or ZERO
    return [table[month] for month in sorted(table)]


def manager_summary() -> dict[str, Any]:
    lines = CommissionLine.objects.all()
    top = (
        lines.exclude(status=LineStatus.PAID)
        .values("partner_id", "partner__company_name", "partner__first_name", "partner__last_name")
        .annotate(due=Sum("amount"), n=Count("pk"))
        .order_by("-due")[:15]
    )
    return {
        "totals": by_status(lines),
        "held": lines.exclude(hold_reason="").aggregate(n=Count("pk"), s=Sum("amount")),
        "months": by_month(lines),
        "top": list(top),
        "regular": regular_activity_partners(),
    }


def partner_earnings(partner: Partner) -> dict[str, Any]:
    lines = CommissionLine.objects.filter(partner=partner)
    return {
        "totals": by_status(lines),
        "months": by_month(lines),
        "recent": lines.select_related("lead").order_by("-earned_on", "-pk")[:20],
        "payments": PaymentItem.objects.filter(partner=partner)
        .select_related("run")
        .order_by("-run__execution_date"),
        "invoices": Invoice.objects.filter(partner=partner).order_by("-sequence"),
        "corrections": [
            c for i in Invoice.objects.filter(partner=partner) for c in i.corrections.all()
        ],
    }


def paid_years(partner: Partner) -> list[int]:
    years = PaymentItem.objects.filter(partner=partner, paid_at__isnull=False).datetimes(
        "paid_at", "year"
    )
    return sorted({d.year for d in years}, reverse=True) or [date.today().year]


# The scoped lookups: every commission object a user reaches by id comes through one of these.
# A partner's own objects follow the partners' rule (``of_visible_partners``); payment runs and
# plans span the whole network, so only managers see them. The ``_get_for_user`` ones raise the
# model's DoesNotExist outside the scope, which views answer with a 404.


def commission_lines_for_user(*, user: User) -> QuerySet[CommissionLine]:
    lines = CommissionLine.objects.select_related("partner", "lead", "rule")
    return of_visible_partners(lines, user=user)


def commission_line_get_for_user(*, user: User, pk: int) -> CommissionLine:
    return commission_lines_for_user(user=user).get(pk=pk)


def payment_runs_for_user(*, user: User) -> QuerySet[PaymentRun]:
    return PaymentRun.objects.all() if user.can_manage else PaymentRun.objects.none()


def payment_run_get_for_user(*, user: User, pk: int) -> PaymentRun:
    return payment_runs_for_user(user=user).get(pk=pk)


def payment_items_for_user(*, user: User) -> QuerySet[PaymentItem]:
    return of_visible_partners(PaymentItem.objects.select_related("run", "partner"), user=user)


def payment_item_get_for_user(*, user: User, pk: int) -> PaymentItem:
    return payment_items_for_user(user=user).get(pk=pk)


def plans_for_user(*, user: User) -> QuerySet[Plan]:
    return Plan.objects.all() if user.can_manage else Plan.objects.none()


def plan_get_for_user(*, user: User, pk: int) -> Plan:
    return plans_for_user(user=user).get(pk=pk)


def rules_for_user(*, user: User) -> QuerySet[Rule]:
    return Rule.objects.filter(plan__in=plans_for_user(user=user)).select_related("plan")


def rule_get_for_user(*, user: User, plan: Plan, pk: int) -> Rule:
    """A rule of ``plan`` (reached through ``plan_get_for_user``)."""
    return rules_for_user(user=user).get(pk=pk, plan=plan)


def invoices_for_user(*, user: User) -> QuerySet[Invoice]:
    return of_visible_partners(Invoice.objects.select_related("partner"), user=user)


def invoice_get_for_user(*, user: User, pk: int) -> Invoice:
    return invoices_for_user(user=user).get(pk=pk)


def correction_requests_for_user(*, user: User) -> QuerySet[CorrectionRequest]:
    corrections = CorrectionRequest.objects.select_related("invoice")
    return of_visible_partners(corrections, user=user, via="invoice__partner")


def correction_request_get_for_user(*, user: User, pk: int) -> CorrectionRequest:
    return correction_requests_for_user(user=user).get(pk=pk)


def redemptions_for_user(*, user: User) -> QuerySet[Redemption]:
    return of_visible_partners(Redemption.objects.select_related("partner", "gift"), user=user)


def redemption_get_for_user(*, user: User, pk: int) -> Redemption:
    return redemptions_for_user(user=user).get(pk=pk)


# What the home pages lead with: what a manager must do about payments, what a partner is owed.


@dataclass(frozen=True)
class PaymentTodo:
    """Lines ready to pay and not in a run yet; runs prepared and not sent to the bank; the
    partners the latest run left out for want of a document or an IBAN."""

    payable_partners: int
    payable_total: Decimal
    drafts: int
    first_draft: PaymentRun | None
    blocked: int
    blocked_run: PaymentRun | None


def payment_todo_for_user(*, user: User) -> PaymentTodo:
    """Three queries, for managers; nothing for anyone else."""
    runs = payment_runs_for_user(user=user).defer("sepa_xml")
    if not user.can_manage:
        return PaymentTodo(0, ZERO, 0, None, 0, None)
    payable = CommissionLine.objects.filter(
        status=LineStatus.PAYABLE, payment_run__isnull=True, hold_reason=""
    ).aggregate(n=Count("partner_id", distinct=True), s=Sum("amount"))
    drafts = list(runs.filter(status=RunStatus.DRAFT).order_by("created_at", "pk"))
    latest = runs.exclude(status=RunStatus.CANCELLED).order_by("-created_at", "-pk").first()
    # A partner whose refunds exceed its earnings is carried forward, not blocked.
    left_out = [b for b in (latest.blocked if latest else []) if Decimal(b["amount"]) > 0]
    return PaymentTodo(
        payable_partners=payable["n"] or 0,
        payable_total=payable["s"] or ZERO,
        drafts=len(drafts),
        first_draft=drafts[0] if drafts else None,
        blocked=len(left_out),
        blocked_run=latest if left_out else None,
    )


@dataclass(frozen=True)
class EarningsSummary:
    to_come: Decimal
    last_payment: PaymentItem | None


def earnings_summary_for_partner(*, partner: Partner) -> EarningsSummary:
    """What the partner has earned and not been paid yet, and its last payment."""
    owed = CommissionLine.objects.filter(partner=partner).exclude(status=LineStatus.PAID)
    last = (
        PaymentItem.objects.filter(partner=partner, paid_at__isnull=False)
        .select_related("run")
        .order_by("-paid_at", "-pk")
        .first()
    )
    return EarningsSummary(owed.aggregate(s=Sum("amount"))["s"] or ZERO, last)


# Internal bonuses: a manager sees every employee's; an employee sees their own.


def employee_bonuses_for_user(*, user: User) -> QuerySet[EmployeeBonus]:
    bonuses = EmployeeBonus.objects.select_related("employee", "lead", "rule")
    if user.can_manage:
        return bonuses
    if user.is_staff_member:
        return bonuses.filter(employee=user)
    return bonuses.none()


def payroll_exports_for_user(*, user: User) -> QuerySet[PayrollExport]:
    return PayrollExport.objects.all() if user.can_manage else PayrollExport.objects.none()


def payroll_export_get_for_user(*, user: User, pk: int) -> PayrollExport:
    return payroll_exports_for_user(user=user).get(pk=pk)


def payroll_rows(*, export: PayrollExport) -> Iterator[list[Any]]:
    """One row per bonus: who is paid, how much, for which deal, by which rule."""
    bonuses = export.bonuses.select_related("employee", "lead", "rule").order_by(
        "employee__last_name", "employee__first_name", "pk"
    )
    for b in bonuses.iterator(chunk_size=2000):
        yield [
            b.employee.email,
            b.employee.last_name,
            b.employee.first_name,
            b.earned_on,
            b.amount,
            b.base,
            b.lead_id,
            b.source,
            str(b.rule),
        ]


VIGILANCE_NOTICE_DAYS = 30  # a certificate ending this soon is to be renewed


def vigilance_expiring(today: date | None = None) -> Q:
    """Live partners whose latest URSSAF vigilance certificate ends within
    ``VIGILANCE_NOTICE_DAYS`` or has ended (its validity: ``vigilance_validity_months``)."""
    today = today or timezone.localdate()
    months = int(legal_value("vigilance_validity_months", today))
    # valid_until = issued_on + months <= today + notice  <=>  issued_on <= that - months
    issued_before = today + timedelta(days=VIGILANCE_NOTICE_DAYS) - relativedelta(months=months)
    latest = (
        VigilanceCertificate.objects.values("partner")
        .annotate(last=Max("issued_on"))
        .filter(last__lte=issued_before)
        .values("partner")
    )
    return Q(status__in=LIVE, pk__in=latest)


def partners_with_vigilance_expiring(*, today: date | None = None) -> QuerySet[Partner]:
    return Partner.objects.filter(vigilance_expiring(today))
