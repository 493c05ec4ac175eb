"""Administrators' screens for what routing reads: our salespeople's territories, each reseller's
routing profile (capacity, products), and the coverage requests resellers send — the last read-only:
a request is the reseller's word and the manager's decision, decided on the routing pages."""

from django.contrib import admin

from relais.core.admin import ReadOnlyAdmin
from relais.routing.models import CoverageRequest, ResellerProfile, SalesTerritory


@admin.register(SalesTerritory)
class SalesTerritoryAdmin(admin.ModelAdmin):
    list_display = ["user", "monthly_capacity", "active"]
    list_filter = ["active", "departements__region"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "departements__code"]
    filter_horizontal = ["departements"]
    list_select_related = ["user"]


@admin.register(ResellerProfile)
class ResellerProfileAdmin(admin.ModelAdmin):
    list_display = ["partner", "monthly_capacity"]
    list_filter = ["categories", "partner__status"]
    search_fields = ["partner__company_name", "partner__last_name", "partner__email"]
    filter_horizontal = ["categories"]
    list_select_related = ["partner"]
    raw_id_fields = ["partner"]


@admin.register(CoverageRequest)
class CoverageRequestAdmin(ReadOnlyAdmin):
    list_display = ["partner", "requested_at", "monthly_capacity", "status", "decided_at"]
    list_filter = ["status"]
    search_fields = ["partner__company_name", "partner__last_name", "partner__email"]
    list_select_related = ["partner"]
    date_hierarchy = "requested_at"
