"""Reads of partners, always scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from relais.accounts.models import User
from relais.core import listings
from relais.partners.choices import DocumentKind, LegalForm, PartnerStatus
from relais.partners.models import (
    ConflictDeclaration,
    ContractTemplate,
    DocumentRequirement,
    Partner,
    PartnerImport,
    Signature,
)


def partner_for_user(user: User) -> Partner | None:
    """The partner a reseller or introducer user acts for (None for staff)."""
    membership = getattr(user, "partner_membership", None)
    return membership.partner if membership is not None else None


def partners_visible_to(user: User) -> QuerySet[Partner]:
    """Managers see every partner, salespeople none yet, a partner user only its own."""
    base = Partner.objects.select_related("departement")
    if user.can_manage:
        return base
    if user.is_partner_user:
        return base.filter(members__user=user)
    return base.none()


def of_visible_partners[M: Model](
    objects: QuerySet[M], *, user: User, via: str = "partner"
) -> QuerySet[M]:
    """The rule every app applies to an object that belongs to a partner (``via`` names the
    path to it): managers see every partner's, a partner user only its own partner's, anyone
    else none, as ``partners_visible_to`` decides for the partners themselves."""
    if user.can_manage:
        return objects
    if user.is_partner_user:
        return objects.filter(**{f"{via}__members__user": user})
    return objects.none()


def partner_list(user: User, *, filters: dict[str, Any] | None = None) -> QuerySet[Partner]:
    filters = filters or {}
    qs = partners_visible_to(user)
    for field in ("kind", "status", "legal_form", "group"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("queue"):
        where = listings.queue_where("partners", filters["queue"])
        qs = qs.filter(where) if where is not None else qs.none()
    if filters.get("departement"):
        qs = qs.filter(departement_id=filters["departement"])
    if filters.get("q"):
        term = filters["q"].strip()
        qs = qs.filter(
            Q(company_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(email__icontains=term)
            | Q(siren=term)
            | Q(city__icontains=term)
        )
    return qs.order_by("company_name", "last_name", "first_name", "pk")


def partner_get_for_user(user: User, pk: int) -> Partner:
    """Raises Partner.DoesNotExist for an object outside the user's scope (a 404 to callers)."""
    return partners_visible_to(user).get(pk=pk)


def signature_of_partner(partner: Partner, signature_id: int) -> Signature:
    """A signature of this partner, or Http404: the one way both sides reach a signed PDF."""
    signature = (
        Signature.objects.select_related("template", "signed_by", "partner")
        .filter(partner=partner, pk=signature_id)
        .first()
    )
    if signature is None:
        raise Http404
    return signature


def partner_imports_for_user(*, user: User) -> QuerySet[PartnerImport]:
    """Partner imports are the managers' tool: they see every one, anyone else none."""
    return PartnerImport.objects.all() if user.can_manage else PartnerImport.objects.none()


def partner_import_get_for_user(*, user: User, pk: int) -> PartnerImport:
    """Raises PartnerImport.DoesNotExist outside the user's scope (a 404 to callers)."""
    return partner_imports_for_user(user=user).get(pk=pk)


def conflict_declarations_for_user(*, user: User) -> QuerySet[ConflictDeclaration]:
    """Every partner's declarations for managers, a partner user its own partner's."""
    declarations = ConflictDeclaration.objects.select_related("partner", "declared_by")
    return of_visible_partners(declarations, user=user)


def conflict_declaration_get_for_user(*, user: User, pk: int) -> ConflictDeclaration:
    """Raises ConflictDeclaration.DoesNotExist outside the user's scope (a 404 to callers)."""
    return conflict_declarations_for_user(user=user).get(pk=pk)


# The documents a partner is asked to sign: reads the contract and status services share
# (importing them at module level, with no cycle between the two).
@dataclass(frozen=True)
class DocumentState:
    """A document a partner is asked for: the current version and the partner's signature."""

    template: ContractTemplate
    signature: Signature | None
    required: bool

    @property
    def signed(self) -> bool:
        return self.signature is not None


def current_template(kind: str) -> ContractTemplate | None:
    return (
        ContractTemplate.objects.filter(kind=kind, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


def _offered_kinds(partner: Partner) -> tuple[list[str], list[str]]:
    required = list(
        DocumentRequirement.objects.filter(partner_kind=partner.kind)
        .order_by("pk")
        .values_list("document_kind", flat=True)
    )
    optional = [DocumentKind.PROGRAMME_RULES.value]
    if partner.legal_form != LegalForm.INDIVIDUAL:
        optional.append(DocumentKind.SELF_BILLING_MANDATE.value)
    return required, [k for k in optional if k not in required]


def documents_for(partner: Partner) -> list[DocumentState]:
    """Required documents first, then the optional ones, each at its current version."""
    required, optional = _offered_kinds(partner)
    now = timezone.now()
    signatures: dict[int, Signature] = {}
    # Newest first: the valid signature of each version, if any (an expired one must be renewed).
    for signature in Signature.objects.filter(partner=partner).order_by("-signed_at"):
        if signature.template_id not in signatures and signature.is_valid_on(now):
            signatures[signature.template_id] = signature
    states = []
    for kind in required + optional:
        template = current_template(kind)
        if template is not None:
            states.append(DocumentState(template, signatures.get(template.pk), kind in required))
    return states


def missing_documents(partner: Partner) -> list[ContractTemplate]:
    return [d.template for d in documents_for(partner) if d.required and not d.signed]


# A contract's renewal is asked for this many days before it ends (``services.reminders``).
EXPIRY_NOTICE_DAYS = 30
LIVE = (PartnerStatus.ACTIVE, PartnerStatus.PAUSED)


def contract_expiring(now: datetime | None = None) -> Q:
    """Live partners with a signed document that ends within ``EXPIRY_NOTICE_DAYS`` (or has
    ended) and was not signed again since: the renewal reminders' selection."""
    horizon = (now or timezone.now()) + timedelta(days=EXPIRY_NOTICE_DAYS)
    renewed = Signature.objects.filter(
        partner=OuterRef("partner"),
        template__kind=OuterRef("template__kind"),
        signed_at__gt=OuterRef("signed_at"),
    )
    # From the signatures' side: the few that end soon, rather than a probe per partner.
    ending = Signature.objects.filter(expires_at__lte=horizon).exclude(Exists(renewed))
    return Q(status__in=LIVE, pk__in=ending.values("partner_id"))


def partners_with_contract_expiring(*, now: datetime | None = None) -> QuerySet[Partner]:
    return Partner.objects.filter(contract_expiring(now))
