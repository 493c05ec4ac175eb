"""Admin screens: what an administrator configures (criteria, required documents) and reads."""

from django.contrib import admin
from django.http import HttpRequest

from relais.core.admin import ReadOnlyAdmin
from relais.partners.models import (
    ContractTemplate,
    DocumentRequirement,
    Partner,
    PartnerMember,
    SelectionCriterion,
    Signature,
)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "legal_form", "status", "departement", "email"]
    list_filter = ["kind", "status", "legal_form"]
    search_fields = ["company_name", "last_name", "email", "siren"]
    raw_id_fields = ["departement"]
    filter_horizontal = ["served_departements"]
    readonly_fields = ["status"]  # moves only through the lifecycle, which checks and audits it


@admin.register(PartnerMember)
class PartnerMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "created_at"]
    raw_id_fields = ["user", "partner"]


@admin.register(SelectionCriterion)
class SelectionCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "weight", "position", "active"]
    list_editable = ["weight", "position", "active"]


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(admin.ModelAdmin):
    list_display = ["partner_kind", "document_kind"]


@admin.register(ContractTemplate)
class ContractTemplateAdmin(admin.ModelAdmin):
    """Read here; new versions are published from the managers' page, which checks the text."""

    list_display = ["kind", "version", "title", "published_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["partner", "template", "signed_at", "signed_by", "expires_at"]
    raw_id_fields = ["partner"]
