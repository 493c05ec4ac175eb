"""Staff pages for leads: list with filters and export, detail with timeline, entry, review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user, staff_required
from relais.core.counting import CountingPaginator
from relais.core.errors import DomainError, TransitionError
from relais.core.forms import add_errors
from relais.core.tabular import MONEY_FORMAT, export_response
from relais.leads import selectors, services
from relais.leads.choices import Channel, LeadStatus, ReviewReason
from relais.leads.forms import DealMoneyForm, LeadFilterForm, StaffLeadForm, TransitionForm
from relais.leads.lifecycle import TRANSITIONS
from relais.leads.models import Lead
from relais.leads.timeline import lead_timeline
from relais.partners.models import Partner

S = LeadStatus
PAGE_SIZE = 50
EXPORT_COLUMNS = (
    "id",
    "submitted_at",
    "status",
    "channel",
    "partner_id",
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "postcode",
    "departement_id",
    "estimated_value",
    "won_amount",
    "review_reason",
    "duplicate_of_id",
)


def _get_lead_for_user(request: HttpRequest, pk: int) -> Lead:
    try:
        return selectors.lead_get_for_user(request_user(request), pk)
    except Lead.DoesNotExist:
        raise Http404 from None


@staff_required
def lead_list(request: HttpRequest) -> HttpResponseBase:
    filters = LeadFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    leads = selectors.lead_list(request_user(request), filters=cleaned)
    if request.GET.get("format") in ("csv", "xlsx"):
        rows = leads.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000)
        money = {EXPORT_COLUMNS.index(c): MONEY_FORMAT for c in ("estimated_value", "won_amount")}
        return export_response(request.GET["format"], "leads", EXPORT_COLUMNS, rows, money)
    page = CountingPaginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "leads/list.html", {"filters": filters, "page": page, "query": query.urlencode()}
    )


@staff_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _get_lead_for_user(request, pk)
    return render(request, "leads/detail.html", _detail_context(request, lead))


def _detail_context(
    request: HttpRequest, lead: Lead, bound: TransitionForm | None = None
) -> dict[str, Any]:
    user = request_user(request)
    return {
        "lead": lead,
        "timeline": lead_timeline(lead.events.select_related("actor")),
        "moves": TransitionForm.for_lead(lead, user, bound),
        # A refused move that is not one of the lead's (it moved meanwhile): its error alone.
        "stale": bound if bound is not None and bound.move not in bound.moves else None,
        # Assignment is a move of its own: it needs an assignee, chosen on the routing page.
        "can_assign": user.can_manage and S.ASSIGNED in TRANSITIONS[lead.status],
        "original": lead.duplicate_of if lead.review_reason == ReviewReason.CONFLICT else None,
    }


@staff_required
@require_POST
def lead_transition(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _get_lead_for_user(request, pk)
    form = TransitionForm(request.POST, lead=lead, actor=request_user(request))
    status = 422
    if form.is_valid():
        try:
            services.lead_transition(lead=lead, actor=request_user(request), **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
            status = 409 if isinstance(exc, TransitionError) else 422
        else:
            messages.success(request, _("Lead updated."))
            return redirect("leads:detail", pk=lead.pk)
    elif form.move is None or form.move not in form.moves:
        status = 409  # the lead moved meanwhile: this move is no longer one of its own
    context = _detail_context(request, lead, form)
    return render(request, "leads/detail.html", context, status=status)


@staff_required
def lead_create(request: HttpRequest) -> HttpResponse:
    form = StaffLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("partner_code", "").strip()
        partner = Partner.objects.filter(referral_code=code).first() if code else None
        if code and partner is None:
            form.add_error(
                "partner_code", _("No partner has the referral code %(code)s.") % {"code": code}
            )
        else:
            try:
                lead = services.lead_submit(
                    data=data,
                    channel=Channel.STAFF,
                    partner=partner,
                    actor=request_user(request),
                    salesperson=request.user if partner is None else None,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Lead recorded."))
                return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/form.html", {"form": form}, status=422 if form.errors else 200)


@manager_required
def review_queue(request: HttpRequest) -> HttpResponse:
    held = (
        Lead.objects.exclude(review_reason="")
        .select_related("partner", "duplicate_of__partner", "departement")
        .order_by("submitted_at")[:200]
    )
    return render(request, "leads/review.html", {"held": held})


@manager_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _get_lead_for_user(request, pk)
    note = request.POST.get("note", "")
    try:
        if lead.review_reason == ReviewReason.CONFLICT:
            attribute = request.POST.get("decision") == "new"
            services.conflict_resolve(
                lead=lead, attribute_to_new=attribute, actor=request_user(request), note=note
            )
        else:
            services.hold_release(lead=lead, actor=request_user(request), note=note)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("leads:review")


@manager_required
@require_POST
def lead_money(request: HttpRequest, pk: int) -> HttpResponse:
    """Record money received on a won deal, or a refund (commissions follow by events)."""
    lead = _get_lead_for_user(request, pk)
    form = DealMoneyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("leads:detail", pk=lead.pk)
    data = form.cleaned_data
    try:
        if data["action"] == "collect":
            services.deal_collect(
                lead=lead, amount=data["amount"], actor=request_user(request), note=data["reason"]
            )
            messages.success(request, _("Collection recorded."))
        else:
            services.deal_refund(
                lead=lead, amount=data["amount"], actor=request_user(request), reason=data["reason"]
            )
            messages.success(
                request, _("Refund recorded: commissions are taken back in proportion.")
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("leads:detail", pk=lead.pk)
