"""Admin: plans and their rules are edited here while a plan is a draft; what money depends on
(lines, runs, invoices) is read-only — it changes only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from relais.commissions.choices import PlanStatus
from relais.commissions.models import CommissionLine, Gift, Invoice, PaymentRun, Plan, Rule


class RuleInline(admin.StackedInline):
    model = Rule
    extra = 0
    fields = (
        ("code", "version", "name"),
        ("trigger", "beneficiary", "formula"),
        ("amount", "rate", "target"),
        ("tier_basis", "period", "tiers"),
        ("partner_kind", "group", "category", "partner"),
        ("cap_per_deal", "cap_per_year"),
        ("valid_from", "valid_until"),
    )
    raw_id_fields = ("partner",)

    def _draft(self, obj: Plan | None) -> bool:
        return obj is None or obj.status == PlanStatus.DRAFT

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "created_at")
    readonly_fields = ("status",)
    inlines = [RuleInline]


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    list_display = ("name", "value_incl_vat", "active")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CommissionLine)
class LineAdmin(ReadOnly):
    list_display = ("partner", "kind", "amount", "status", "earned_on")
    list_filter = ("status", "kind")


@admin.register(PaymentRun)
class RunAdmin(ReadOnly):
    list_display = ("pk", "cutoff", "execution_date", "status", "total")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ("number", "type_code", "partner", "issue_date", "total_incl_vat")
