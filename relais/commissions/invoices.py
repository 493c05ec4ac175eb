"""Self-billed invoices (autofacturation): Factur-X EN 16931, document type 389 (credit note 261),
a PDF/A-3 from WeasyPrint with the CII XML embedded by the factur-x library, numbered in their own
gap-free chronological series. An issued invoice is never edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.commissions.choices import InvoiceType
from relais.commissions.engine import to_cents
from relais.commissions.models import Invoice, NumberSeries, PaymentItem, PaymentRun
from relais.core.formatting import format_money, format_number
from relais.core.params import legal_value
from relais.core.pdf import render_pdf
from relais.partners.choices import LegalForm, TaxRegime
from relais.partners.models import Partner

SERIES = "AF"  # "autofacturation": its own series, apart from the company's own invoices
FRANCHISE = "TVA non applicable, art. 293 B du CGI"
# The code for the French VAT franchise (BT-121), from the VATEX list the French reform adds.
FRANCHISE_CODE = "VATEX-FR-FRANCHISE"
# Billing framework (BT-23, BR-FR-08): S1, an invoice for services, to be paid.
BILLING_FRAMEWORK = "S1"
# The French e-invoicing directory's scheme (ISO 6523 ICD 0225): an address is SIREN[_suffix].
DIRECTORY_SCHEME = "0225"
RATE = Decimal("0.01")  # BR-FR-DEC-04: a VAT rate has at most two decimals ("20.00")


@dataclass(frozen=True)
class Vat:
    rate: Decimal
    amount: Decimal
    category: str  # EN 16931 VAT category: S standard, E exempt
    mention: str


def vat_for(partner: Partner, base: Decimal, on: date, *, rate: Decimal | None = None) -> Vat:
    """VAT on a partner's commissions, by its declared regime (individuals: none, no invoice).
    ``rate``: the standard rate on ``on``, when the caller already read it (a run, once)."""
    if partner.tax_regime == TaxRegime.VAT_LIABLE:
        rate = legal_value("vat_standard_rate", on) if rate is None else rate
        rate = rate.quantize(RATE)
        return Vat(rate, to_cents(base * rate / 100), "S", "")
    if partner.tax_regime == TaxRegime.VAT_FRANCHISE:
        return Vat(Decimal("0.00"), Decimal("0.00"), "E", FRANCHISE)
    return Vat(Decimal("0.00"), Decimal("0.00"), "O", "")


def next_number() -> tuple[str, int]:
    """The next number of the series; the caller's transaction holds the row lock, so a
    rolled-back invoice gives its number back and the series has no gap."""
    NumberSeries.objects.get_or_create(name=SERIES)
    series = NumberSeries.objects.select_for_update().get(name=SERIES)
    series.last += 1
    series.save(update_fields=["last"])
    return f"{SERIES}-{series.last:06d}", series.last


def einvoice_address(value: str) -> tuple[str, str]:
    """("0225", "732829320") from "0225:732829320"; without a scheme, the French directory's."""
    scheme, _sep, identifier = value.rpartition(":")
    return scheme or DIRECTORY_SCHEME, identifier


def buyer() -> dict[str, str]:
    scheme, address = einvoice_address(settings.RELAIS_COMPANY_EINVOICE_ADDRESS)
    return {
        "name": settings.RELAIS_COMPANY_NAME,
        "siren": settings.RELAIS_COMPANY_SIREN,
        "vat": settings.RELAIS_COMPANY_VAT,
        "address": settings.RELAIS_COMPANY_ADDRESS,
        "postcode": settings.RELAIS_COMPANY_POSTCODE,
        "city": settings.RELAIS_COMPANY_CITY,
        "einvoice_scheme": scheme,
        "einvoice_address": address,
    }


def notes(on: date) -> dict[str, str]:
    """The payment mentions the French rules want as coded notes (BR-FR-05): late-payment
    penalties (PMD), the fixed recovery indemnity (PMT), the discount or its absence (AAB)."""
    indemnity = legal_value("late_payment_indemnity", on)
    return {
        "PMD": _(
            "Late-payment penalties: interest at three times the legal interest rate, from the "
            "day after the due date."
        ),
        # "40 €", not the parameter's "40,0000"
        "PMT": _("Fixed indemnity for recovery costs in case of late payment: %(amount)s €.")
        % {"amount": format_number(indemnity)},
        "AAB": _("No discount for early payment."),
    }


def _render(invoice: Invoice, lines: list[Any], reason: str) -> tuple[str, bytes]:
    from facturx import generate_from_binary, xml_check_xsd

    due = invoice.issue_date + timedelta(days=settings.RELAIS_INVOICE_DUE_DAYS)
    seller = invoice.partner
    with translation.override("fr"):
        period = {
            "start": invoice.period_start.strftime("%d/%m/%Y"),
            "end": invoice.period_end.strftime("%d/%m/%Y"),
        }
        vat = vat_for(invoice.partner, invoice.total_excl_vat, invoice.issue_date)
        context = {
            "i": invoice,
            "seller": seller,
            # BT-34: the partner's directory address, or else its SIREN (the directory's base
            # address of every company).
            "seller_address": seller.einvoice_address or seller.siren,
            "directory_scheme": DIRECTORY_SCHEME,
            # EN 16931 BR-E-02: an exempt (E) line needs the seller's VAT identifier (BT-31), tax
            # registration identifier (BT-32) or tax representative (BT-63). A seller in the
            # French franchise has no VAT number; as the French Factur-X guidance says for it,
            # its SIREN is given as BT-32 (tax registration, scheme FC), with the exemption
            # coded VATEX-FR-FRANCHISE (BT-121) and worded "art. 293 B du CGI" (BT-120).
            "tax_registration": vat.category == "E" and not seller.vat_number,
            "exemption_code": FRANCHISE_CODE if vat.category == "E" else "",
            "billing_framework": BILLING_FRAMEWORK,
            "buyer": buyer(),
            "due": due,
            "contest_days": settings.RELAIS_INVOICE_CONTEST_DAYS,  # as the mandate says
            "category": vat.category,
            "notes": notes(invoice.issue_date),
            # The credit note's reason, as a note of subject ACD ("reason", UNTDID 4451).
            "reason": _("Reason for the credit note: %(reason)s") % {"reason": reason}
            if reason
            else "",
            "lines": lines,
            "sole_trader": invoice.partner.legal_form == LegalForm.MICRO,
            "description": _("Commissions for introductions, %(start)s – %(end)s") % period,
        }
        xml = render_to_string("commissions/xml/cii.xml", context)
        xml_check_xsd(xml.encode(), flavor="factur-x", level="en16931")
        # PDF/A-3 is the only PDF Factur-X allows to carry the XML.
        pdf = render_pdf("commissions/pdf/invoice.html", context, variant="pdf/a-3b")
    return xml, bytes(generate_from_binary(pdf, xml.encode(), flavor="factur-x", level="en16931"))


def _issue(
    partner: Partner,
    *,
    type_code: str,
    base: Decimal,
    period: tuple[date, date],
    lines: list[Any],
    item: PaymentItem | None = None,
    credit_for: Invoice | None = None,
    reason: str = "",
) -> Invoice:
    today = timezone.localdate()
    vat = vat_for(partner, base, today)
    number, sequence = next_number()
    invoice = Invoice(
        number=number,
        sequence=sequence,
        type_code=type_code,
        partner=partner,
        item=item,
        credit_for=credit_for,
        issue_date=today,
        period_start=period[0],
        period_end=period[1],
        total_excl_vat=base,
        vat_rate=vat.rate,
        vat_amount=vat.amount,
        total_incl_vat=base + vat.amount,
        vat_mention=vat.mention,
    )
    invoice.xml, pdf = _render(invoice, lines, reason)
    invoice.pdf.save(f"{number}.pdf", ContentFile(pdf), save=False)
    invoice.save()
    return invoice


def needs_self_billing(partner: Partner) -> bool:
    from relais.commissions.checks import has_mandate

    return partner.is_professional and has_mandate(partner)


def issue_for_run(run: PaymentRun) -> list[Invoice]:
    """One self-billed invoice per professional with a mandate, in the run's transaction."""
    made = []
    items = run.items.select_related("partner").order_by("partner_id")
    for item in items:
        if hasattr(item, "invoice") or not needs_self_billing(item.partner):
            continue
        lines = list(
            run.lines.filter(partner=item.partner).select_related("lead").order_by("earned_on")
        )
        period = (lines[0].earned_on, lines[-1].earned_on)
        made.append(
            _issue(
                item.partner,
                type_code=InvoiceType.SELF_BILLED,
                base=item.amount_excl_vat,
                period=period,
                lines=lines,
                item=item,
            )
        )
    return made


def credit_note_issue(*, invoice: Invoice, amount: Decimal, reason: str) -> Invoice:
    """A self-billed credit note (261) against an issued invoice, for at most its amount."""
    if amount <= 0 or amount > invoice.total_excl_vat:
        from relais.core.errors import DomainError

        raise DomainError(
            _("A credit note is for more than 0 and at most the invoice's %(total)s excl. VAT.")
            % {"total": format_money(invoice.total_excl_vat)},
            code="bad_amount",
        )
    with transaction.atomic():
        return _issue(
            invoice.partner,
            type_code=InvoiceType.SELF_BILLED_CREDIT,
            base=to_cents(amount),
            period=(invoice.period_start, invoice.period_end),
            lines=[{"reason": reason}],
            credit_for=invoice,
            reason=reason,
        )
