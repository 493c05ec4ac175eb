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


def buyer() -> dict[str, str]:
    return {
        "name": settings.RELAIS_COMPANY_NAME,
        "siren": settings.RELAIS_COMPANY_SIREN,
        "vat": settings.RELAIS_COMPANY_VAT,
        "address": settings.RELAIS_COMPANY_ADDRESS,
        "postcode": settings.RELAIS_COMPANY_POSTCODE,
        "city": settings.RELAIS_COMPANY_CITY,
    }


def _render(invoice: Invoice, lines: list[Any]) -> tuple[str, bytes]:
    from facturx import generate_from_binary, xml_check_xsd

    due = invoice.issue_date + timedelta(days=settings.RELAIS_INVOICE_DUE_DAYS)
    indemnity = legal_value("late_payment_indemnity", invoice.issue_date)
    with translation.override("fr"):
        penalties = _(
            "Late payment: interest at three times the legal rate, and a fixed recovery "
            "indemnity of %(amount)s €."
        ) % {"amount": format_number(indemnity)}  # "40 €", not the parameter's "40,0000"
        period = {
            "start": invoice.period_start.strftime("%d/%m/%Y"),
            "end": invoice.period_end.strftime("%d/%m/%Y"),
        }
        vat = vat_for(invoice.partner, invoice.total_excl_vat, invoice.issue_date)
        context = {
            "i": invoice,
            "seller": invoice.partner,
            "buyer": buyer(),
            "due": due,
            "contest_days": settings.RELAIS_INVOICE_CONTEST_DAYS,  # as the mandate says
            "category": vat.category,
            "penalties": penalties,
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
    invoice.xml, pdf = _render(invoice, lines)
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
        )
