"""Partner-facing pages. No models here: the portal calls the apps' selectors and services.

Every object comes through ``_partner`` (the user's own partner) and is filtered by it, so
another partner's document, signature or declaration is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.decorators import partner_required, request_user
from relais.commissions.choices import CorrectionStatus
from relais.commissions.selectors import correction_requests_for_user, earnings_summary_for_partner
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import absolute_url, client_ip
from relais.core.tabular import MONEY_FORMAT, export_response
from relais.leads.choices import Channel, LeadStatus
from relais.leads.forms import QuickLeadForm
from relais.leads.selectors import lead_counts
from relais.leads.services import lead_submit
from relais.partners import services
from relais.partners.choices import PartnerKind
from relais.partners.forms import DeclarationForm, ProfileForm, SignForm
from relais.partners.models import ContractTemplate, Partner
from relais.partners.pdf import signature_response
from relais.partners.selectors import partner_for_user, signature_of_partner
from relais.partners.services.contracts import render as render_document
from relais.partners.services.profile import bank_change_confirm, profile_update
from relais.portal.charts import introducer_leads_chart, reseller_rate_charts
from relais.portal.progress import next_steps, submission_message
from relais.routing.kpis import kpi_rows, kpi_snapshot, network_average, periods
from relais.routing.scorecard import scorecard_of
from relais.routing.selectors import (
    pending_coverage_requests_for_user,
    reseller_profile_of,
    waiting_for_user,
)
from relais.training.progress import held_from, missing_required


def _partner(request: HttpRequest) -> Partner:
    partner = partner_for_user(request_user(request))
    if partner is None:  # a partner user not yet attached to a partner sees nothing of anyone's
        raise Http404
    return partner


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    """What the partner must do now first (documents to sign; required training; a reseller's
    leads waiting for it; corrections to answer; an introducer's next lead), then where things
    stand."""
    partner = _partner(request)
    user = request_user(request)
    reseller = partner.kind == PartnerKind.RESELLER
    context = {
        "partner": partner,
        "reseller": reseller,
        "to_sign": [d for d in services.documents_for(partner) if d.required and not d.signed],
        "corrections": correction_requests_for_user(user=user)
        .filter(status=CorrectionStatus.PENDING)
        .count(),
        "earnings": earnings_summary_for_partner(partner=partner),
        "lead_counts": lead_counts(partner),
        "training_missing": (missing := missing_required(partner)),
    }
    if missing:
        # None: held back now (a candidate, or past the grace period); else until when it may
        # still work without them.
        since = held_from(partner.status, partner.created_at, missing)
        context["training_deadline"] = since if since and since > timezone.now() else None
    if reseller:
        context["waiting"] = waiting_for_user(user=user)
        context["coverage"] = reseller_profile_of(partner)
        pending = pending_coverage_requests_for_user(user=user).prefetch_related(None)
        context["coverage_pending"] = pending.values_list("requested_at", flat=True).first()
    return render(request, "portal/home.html", context)


@partner_required
def documents(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    signed = partner.signatures.select_related("template")
    context = {"partner": partner, "documents": services.documents_for(partner), "signed": signed}
    return render(request, "portal/documents.html", context)


@partner_required
def document(request: HttpRequest, template_id: int) -> HttpResponse:
    """Read a document as it will be signed, and sign it with an explicit click."""
    partner = _partner(request)
    offered = {d.template.kind: d for d in services.documents_for(partner)}
    template = ContractTemplate.objects.filter(pk=template_id).first()
    if template is None or template.kind not in offered:
        raise Http404  # not a document asked of this partner
    # An older version is shown as it was; signing it is refused with a pointer to the new one.
    state = offered[template.kind] if offered[template.kind].template.pk == template.pk else None
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_sign(
                partner=partner,
                template=template,
                user=request_user(request),
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Signed: %(title)s.") % {"title": template.title})
            return redirect("portal:documents")
    text = render_document(template, partner, on=timezone.localdate())
    context = {"template": template, "state": state, "text": text, "form": form}
    return render(request, "portal/document.html", context, status=422 if form.errors else 200)


@partner_required
def signature_download(request: HttpRequest, signature_id: int) -> HttpResponse:
    partner = _partner(request)
    return signature_response(signature_of_partner(partner, signature_id))


@partner_required
def declarations(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_submit(
                partner=partner, user=request_user(request), **form.cleaned_data
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Declaration sent: a manager will review it."))
            return redirect("portal:declarations")
    context = {"form": form, "declarations": partner.declarations.all()}
    return render(request, "portal/declarations.html", context, status=422 if form.errors else 200)


@partner_required
def profile(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    initial = {
        f: getattr(partner, f)
        for f in ("phone", "address_line", "postcode", "city", "iban", "bic", "einvoice_address")
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if not partner.is_professional:  # a private individual gets a statement, never an invoice
        del form.fields["einvoice_address"]
    if request.method == "POST" and form.is_valid():
        try:
            pending = profile_update(
                partner=partner,
                data=form.cleaned_data,
                actor=request_user(request),
                build_confirm_url=lambda raw: absolute_url(
                    reverse("portal:bank_confirm", args=[raw]), request
                ),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your details are saved."))
            if pending:
                messages.warning(
                    request,
                    _("Check your e-mail to confirm the new IBAN: until then the old one is kept."),
                )
            return redirect("portal:profile")
    return render(
        request,
        "portal/profile.html",
        {"partner": partner, "form": form},
        status=422 if form.errors else 200,
    )


@partner_required
def bank_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will change; the POST applies it (mail scanners only GET)."""
    partner = _partner(request)
    if request.method == "POST":
        try:
            bank_change_confirm(partner=partner, raw=token, actor=request_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your new IBAN is confirmed."))
        return redirect("portal:profile")
    return render(request, "portal/bank_confirm.html", {"partner": partner})


def _lead_export(partner: Partner, fmt: str) -> HttpResponseBase:
    """The partner's leads as the list shows them, every one, streamed as CSV or XLSX."""
    headers = [
        _("Submitted"),
        _("Prospect"),
        _("Postcode"),
        _("Product"),
        _("Status"),
        _("Amount won excl. VAT"),
        _("Rejection reason"),
    ]
    leads = partner.leads.select_related("category").order_by("-submitted_at")
    rows = (
        [
            timezone.localtime(lead.submitted_at).date(),
            lead.prospect_name,
            lead.postcode,
            str(lead.category) if lead.category else "",
            lead.get_status_display(),
            lead.won_amount if lead.status == LeadStatus.WON else None,
            lead.get_rejection_reason_display() if lead.rejection_reason else "",
        ]
        for lead in leads.iterator(chunk_size=2000)
    )
    return export_response(fmt, "my-leads", headers, rows, {5: MONEY_FORMAT})


@partner_required
def leads(request: HttpRequest) -> HttpResponseBase:
    """The partner's leads and what became of them (the reseller's private notes are not here);
    ``?format=csv|xlsx`` exports them all."""
    partner = _partner(request)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _lead_export(partner, fmt)
    page = Paginator(
        partner.leads.select_related("category").order_by("-submitted_at"), 30
    ).get_page(request.GET.get("page"))
    context = {
        "partner": partner,
        "page": page,
        "rows": next_steps(page),
        "chart": introducer_leads_chart(partner=partner),
    }
    return render(request, "portal/leads.html", context)


@partner_required
def lead_new(request: HttpRequest) -> HttpResponse:
    """Pass a lead in under a minute, on a phone."""
    partner = _partner(request)
    form = QuickLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_submit(
                data=form.cleaned_data,
                channel=Channel.PORTAL,
                partner=partner,
                actor=request_user(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            recorded, message = submission_message(lead)
            (messages.success if recorded else messages.warning)(request, message)
            return redirect("portal:leads")
    return render(
        request, "portal/lead_new.html", {"form": form}, status=422 if form.errors else 200
    )


@partner_required
def performance(request: HttpRequest) -> HttpResponse:
    """A reseller's own KPIs over 12 months, beside the network's average (never the others')."""
    partner = _partner(request)
    if partner.kind != PartnerKind.RESELLER:
        raise Http404
    snapshot = kpi_snapshot(request.GET.get("period"))
    table = snapshot.table
    mine = next((k for k in table if k.assignee == partner.pk), None)
    context = {
        "mine": mine,
        "added": scorecard_of(assignee=partner.pk, start=snapshot.start, end=snapshot.end),
        "network": network_average(table),
        "rows": kpi_rows(),
        "ranked": len(table),
        "start": snapshot.start,
        "end": snapshot.end,
        "computed_at": snapshot.computed_at,
        "period": snapshot.period,
        "periods": periods(),
        "charts": reseller_rate_charts(partner=partner),
    }
    return render(request, "portal/performance.html", context)
