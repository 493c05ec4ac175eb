"""Correcting a self-billed invoice: never by editing it. A manager asks; only the partner (the
supplier, who stays liable for the invoice) may accept, and a credit note (261) is issued then."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.choices import CorrectionStatus, InvoiceType
from relais.commissions.invoices import credit_note_issue
from relais.commissions.models import CorrectionRequest, Invoice
from relais.core.audit import audit_record
from relais.core.errors import DomainError, NotYours
from relais.core.formatting import format_money
from relais.partners.models import Partner


def credited(invoice: Invoice) -> Decimal:
    return invoice.credit_notes.aggregate(s=Sum("total_excl_vat"))["s"] or Decimal(0)


def correction_request(
    *, invoice: Invoice, amount: Decimal, reason: str, actor: User | None
) -> CorrectionRequest:
    if invoice.type_code != InvoiceType.SELF_BILLED:
        raise DomainError(_("Only an invoice can be corrected, not a credit note."), code="credit")
    if not reason.strip():
        raise DomainError(
            _("Say what is wrong with the invoice."),
            code="reason_required",
            fields={"reason": _("Required.")},
        )
    left = invoice.total_excl_vat - credited(invoice)
    if amount <= 0 or amount > left:
        raise DomainError(
            _(
                "Invoice %(number)s is issued and cannot be edited; a credit note can take back "
                "between 0 and %(left)s excl. VAT."
            )
            % {"number": invoice.number, "left": format_money(left)},
            code="bad_amount",
            fields={"amount": _("Out of range.")},
        )
    request = CorrectionRequest.objects.create(
        invoice=invoice, amount_excl_vat=amount, reason=reason.strip(), requested_by=actor
    )
    audit_record(subject=invoice, action="correction_requested", actor=actor, reason=reason)
    return request


def correction_decide(
    *, request: CorrectionRequest, partner: Partner, accept: bool, actor: User | None
) -> CorrectionRequest:
    """The partner's answer; on acceptance the credit note is issued in the same transaction."""
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.invoice.partner_id != partner.pk:
            raise NotYours(_("This invoice is not yours."), code="not_yours")
        if locked.status != CorrectionStatus.PENDING:
            raise DomainError(_("This request was already answered."), code="answered")
        if accept:
            locked.credit_note = credit_note_issue(
                invoice=locked.invoice, amount=locked.amount_excl_vat, reason=locked.reason
            )
            locked.status = CorrectionStatus.ACCEPTED
        else:
            locked.status = CorrectionStatus.REFUSED
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(subject=locked.invoice, action=f"correction_{locked.status}", actor=actor)
    return locked
