from django.contrib import admin

from relais.partners.models import Partner, PartnerMember


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "legal_form", "status", "departement", "email"]
    list_filter = ["kind", "status", "legal_form"]
    search_fields = ["company_name", "last_name", "email", "siren"]
    raw_id_fields = ["departement"]
    filter_horizontal = ["served_departements"]


@admin.register(PartnerMember)
class PartnerMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "created_at"]
    raw_id_fields = ["user", "partner"]
