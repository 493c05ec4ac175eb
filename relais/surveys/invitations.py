"""A promoter accepting the invitation becomes a candidate introducer, pre-filled from the
customer record, with a referral link, in the onboarding every candidate goes through (the
manager's selection, then the contract and the tax status). An invitation is used once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.partners.choices import LegalForm, PartnerKind, TaxRegime
from relais.partners.models import Partner
from relais.partners.services.records import partner_create
from relais.surveys.models import Invitation

PREFILLED = ("first_name", "last_name", "email", "phone", "postcode", "city")


def prefilled(invitation: Invitation) -> dict[str, str]:
    """What the acceptance form shows, from the customer record: nothing is typed twice."""
    customer = invitation.customer
    return {name: getattr(customer, name) or "" for name in PREFILLED}


def invitation_accept(
    *, invitation_id: int, data: dict[str, Any], now: datetime | None = None
) -> Partner:
    """Create the candidate introducer. The invitation's row is locked, so a double submit or
    a reused link creates nothing more; a ValidationError (from the partners' checks) names
    each field and leaves the invitation unused."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("customer")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            raise DomainError(_("This invitation does not exist."), code="unknown")
        if invitation.accepted_at is not None:
            raise DomainError(_("This invitation has already been used."), code="used")
        fields = {name: str(data.get(name, "")).strip() for name in PREFILLED}
        # A customer joins as a private individual; the onboarding asks their actual tax
        # status (a micro-entrepreneur or a company changes it there).
        partner, _warnings = partner_create(
            data={
                **fields,
                "kind": PartnerKind.INTRODUCER,
                "legal_form": LegalForm.INDIVIDUAL,
                "tax_regime": TaxRegime.NON_PROFESSIONAL,
            }
        )
        invitation.accepted_at, invitation.partner = now or timezone.now(), partner
        invitation.save(update_fields=["accepted_at", "partner"])
    return partner
