"""What blocks paying a partner (french-rules.md), checked for each partner of a payment run:
no signed contract, no valid IBAN, a professional with neither a self-billing mandate nor an
invoice of its own, a missing or expired URSSAF vigilance certificate where its contracts reach
the threshold, an ended partnership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as iban_check

from relais.commissions.choices import LineKind
from relais.commissions.models import CommissionLine, OwnInvoice, VigilanceCertificate
from relais.core.params import legal_value
from relais.partners.choices import DocumentKind, PartnerStatus
from relais.partners.models import Partner, Signature
from relais.partners.services.contracts import missing_documents


@dataclass(frozen=True)
class Block:
    code: str
    message: str


def has_mandate(partner: Partner) -> bool:
    """A signed, unexpired self-billing mandate (signed before any self-billed invoice)."""
    signed = Signature.objects.filter(
        partner=partner, template__kind=DocumentKind.SELF_BILLING_MANDATE
    )
    now = timezone.now()
    return any(s.is_valid_on(now) for s in signed)


def unused_own_invoice(partner: Partner) -> OwnInvoice | None:
    return partner.own_invoices.filter(item__isnull=True).order_by("uploaded_at").first()


def year_contracts(partner: Partner, year: int) -> Decimal:
    """What the partner's commissions reach in the calendar year, excl. VAT (the vigilance test)."""
    total = CommissionLine.objects.filter(
        partner=partner, earned_on__year=year, kind__in=(LineKind.COMMISSION, LineKind.BONUS)
    ).aggregate(s=Sum("amount"))["s"]
    return total or Decimal(0)


def vigilance_ok(partner: Partner, on: date) -> bool:
    latest = VigilanceCertificate.objects.filter(partner=partner, issued_on__lte=on).first()
    return latest is not None and latest.valid_until >= on


def blocks(partner: Partner, amount: Decimal, on: date) -> list[Block]:
    found = []
    if partner.status == PartnerStatus.ENDED:
        found.append(Block("ended", _("The partnership has ended.")))
    missing = missing_documents(partner)
    if missing:
        titles = ", ".join(t.title for t in missing)
        found.append(Block("contract", _("Not signed: %(titles)s.") % {"titles": titles}))
    if not partner.iban or not iban_check.is_valid(partner.iban):
        found.append(Block("iban", _("No valid IBAN.")))
    if partner.is_professional:
        own = unused_own_invoice(partner)
        if not has_mandate(partner) and (own is None or own.amount_incl_vat < amount):
            found.append(
                Block(
                    "invoice",
                    _("Neither a self-billing mandate nor an invoice of its own for %(amount)s.")
                    % {"amount": amount},
                )
            )
        threshold = legal_value("vigilance_contract_threshold", on)
        if year_contracts(partner, on.year) >= threshold and not vigilance_ok(partner, on):
            found.append(
                Block(
                    "vigilance",
                    _("URSSAF vigilance certificate missing or expired (contracts ≥ %(t)s € HT).")
                    % {"t": threshold},
                )
            )
    return found
