"""A partner's money: earnings by status and month, statements, self-billed invoices, the yearly
statement, corrections to accept, gifts, and the documents payment needs. Everything is the
user's own partner's, through ``_partner``; another partner's object is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import partner_required, request_user
from relais.commissions.checks import has_mandate
from relais.commissions.forms import OwnInvoiceForm, VigilanceForm
from relais.commissions.models import (
    CorrectionRequest,
    Gift,
    Invoice,
    PaymentItem,
    VigilanceCertificate,
)
from relais.commissions.selectors import paid_years, partner_earnings
from relais.commissions.services.corrections import correction_decide
from relais.commissions.services.documents import (
    STATEMENT_REQUEUE_SECONDS,
    own_invoice_create,
    statement_request,
    vigilance_certificate_create,
)
from relais.commissions.services.gifts import available, redemption_request
from relais.commissions.tax import regular_activity_warning, yearly_statement, yearly_statement_pdf
from relais.core.errors import DomainError
from relais.core.http import attachment
from relais.portal.charts import earnings_chart
from relais.portal.views import _partner


@partner_required
def earnings(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    money = partner_earnings(partner)
    context = {
        "partner": partner,
        **money,
        "chart": earnings_chart(months=money["months"]),
        "available": available(partner),
        "gifts": Gift.objects.filter(active=True),
        "redemptions": partner.redemptions.select_related("gift")[:10],
        "years": paid_years(partner),
        "warning": "" if partner.is_professional else regular_activity_warning(partner),
        "mandate": has_mandate(partner),
        "vigilance": VigilanceCertificate.objects.filter(partner=partner).first(),
        "vigilance_form": VigilanceForm(),
        "invoice_form": OwnInvoiceForm(),
    }
    return render(request, "portal/earnings.html", context)


@partner_required
def statement_download(request: HttpRequest, item_id: int) -> HttpResponseBase:
    """The statement the task worker made; until it has, a page saying so (never built here:
    a PDF per click would hold a web worker for seconds)."""
    partner = _partner(request)
    item = PaymentItem.objects.filter(pk=item_id, partner=partner).select_related("run").first()
    if item is None:
        raise Http404
    if not item.statement:
        statement_request(item=item)
        response = render(request, "portal/statement_pending.html", {"item": item}, status=202)
        response["Retry-After"] = str(STATEMENT_REQUEUE_SECONDS)
        return response
    return FileResponse(
        item.statement.open("rb"), as_attachment=True, filename=f"releve-{item.run_id}.pdf"
    )


@partner_required
def invoice_download(request: HttpRequest, invoice_id: int) -> HttpResponseBase:
    invoice = Invoice.objects.filter(pk=invoice_id, partner=_partner(request)).first()
    if invoice is None:
        raise Http404
    return FileResponse(
        invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf"
    )


@partner_required
def yearly_download(request: HttpRequest, year: int) -> HttpResponse:
    partner = _partner(request)
    if partner.is_professional or not 2000 <= year <= timezone.localdate().year:
        raise Http404  # professionals declare their own turnover: no yearly statement
    pdf = yearly_statement_pdf(yearly_statement(partner, year))
    return attachment(pdf, "application/pdf", f"releve-annuel-{year}.pdf")


@require_POST
@partner_required
def correction_answer(request: HttpRequest, correction_id: int) -> HttpResponse:
    partner = _partner(request)
    correction = CorrectionRequest.objects.filter(
        pk=correction_id, invoice__partner=partner
    ).first()
    if correction is None:
        raise Http404
    accept = request.POST.get("answer") == "accept"
    try:
        correction_decide(
            request=correction, partner=partner, accept=accept, actor=request_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Accepted: a credit note is issued.") if accept else _("Refused.")
        )
    return redirect("portal:earnings")


@require_POST
@partner_required
def gift_redeem(request: HttpRequest, gift_id: int) -> HttpResponse:
    partner = _partner(request)
    gift = Gift.objects.filter(pk=gift_id, active=True).first()
    if gift is None:
        raise Http404
    try:
        redemption_request(partner=partner, gift=gift, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Requested: a manager will confirm it."))
    return redirect("portal:earnings")


@require_POST
@partner_required
def document_upload(request: HttpRequest, kind: str) -> HttpResponse:
    """The URSSAF vigilance certificate, or an invoice of the partner's own."""
    partner = _partner(request)
    if not partner.is_professional or kind not in ("vigilance", "invoice"):
        raise Http404
    form_class = VigilanceForm if kind == "vigilance" else OwnInvoiceForm
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("portal:earnings")
    data, actor = form.cleaned_data, request_user(request)
    try:
        if kind == "vigilance":
            vigilance_certificate_create(
                partner=partner, issued_on=data["issued_on"], file=data["file"], actor=actor
            )
        else:
            own_invoice_create(
                partner=partner,
                number=data["number"],
                amount_incl_vat=data["amount_incl_vat"],
                file=data["file"],
                actor=actor,
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Document received."))
    return redirect("portal:earnings")
