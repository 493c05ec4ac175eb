"""The managers' pages: results (NPS over time and by group, the funnel), customers and their
import, sending to a chosen set, comments, testimonials export, and detractors' follow-ups."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relais.accounts.decorators import manager_required, request_user, staff_required
from relais.core import tabular
from relais.core.errors import DomainError
from relais.core.http import is_htmx
from relais.core.tabular import ERROR_REPORT_HEADERS, csv_response
from relais.core.uploads import upload_page
from relais.leads.forms import LeadImportForm
from relais.leads.models import ProductCategory
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.surveys import followups, selectors, sending
from relais.surveys.choices import Dimension, SendState
from relais.surveys.imports import field_labels, import_queue, import_retry, import_upload
from relais.surveys.models import Customer, CustomerImport, FollowUp

DIMENSIONS = (Dimension.PRODUCT, Dimension.DEPARTEMENT, Dimension.RESELLER, Dimension.SALESPERSON)


@manager_required
def results(request: HttpRequest) -> HttpResponse:
    dimension = request.GET.get("by", Dimension.RESELLER)
    if dimension not in DIMENSIONS:
        dimension = Dimension.RESELLER
    context = {
        "total": selectors.nps_total(),
        "months": selectors.nps_by_month(),
        "groups": selectors.nps_by(dimension),
        "dimension": dimension,
        "dimensions": [(d.value, d.label) for d in DIMENSIONS],
        "funnel": selectors.funnel(),
        "open_tasks": followups.follow_ups_for(request_user(request))
        .filter(done_at__isnull=True)
        .count(),
    }
    return render(request, "surveys/results.html", context)


@manager_required
@require_http_methods(["GET", "POST"])
def customers(request: HttpRequest) -> HttpResponse:
    """The customers, and sending the survey to those ticked (the throttle decides)."""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("customer") if v.isdigit()]
        queued = sending.surveys_queue_set(
            customer_ids=ids, occasion=f"set:{uuid.uuid4().hex[:16]}", now=timezone.now()
        )
        messages.success(
            request,
            _("%(queued)s surveys queued; %(left)s customers were surveyed too recently.")
            % {"queued": queued, "left": len(ids) - queued},
        )
        return redirect("surveys:customers")
    rows = Customer.objects.select_related("product", "reseller", "departement").order_by("-pk")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(last_name__icontains=query) | rows.filter(email__icontains=query)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "throttle_days": settings.RELAIS_SURVEY_THROTTLE_DAYS,
        "delay_days": settings.RELAIS_SURVEY_DELAY_DAYS,
        "reminder_days": settings.RELAIS_SURVEY_REMINDER_DAYS,
        "token_days": settings.RELAIS_SURVEY_TOKEN_DAYS,
        "follow_up_days": settings.RELAIS_SURVEY_FOLLOW_UP_DAYS,
        "queued": Customer.objects.filter(surveys__state=SendState.QUEUED).count(),
    }
    return render(request, "surveys/customers.html", context)


@manager_required
def import_start(request: HttpRequest) -> HttpResponse:
    return upload_page(
        request,
        service=import_upload,
        detail="surveys:import_detail",
        template="surveys/import_start.html",
    )


def _import_for(request: HttpRequest, batch_id: int) -> CustomerImport:
    """Managers see every customer import (customers are the company's, not one manager's)."""
    found = CustomerImport.objects.filter(pk=batch_id).first()
    if found is None:
        raise Http404
    return found


@manager_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _import_for(request, batch_id)
    if is_htmx(request):
        return render(request, "surveys/partials/_import_progress.html", {"batch": batch})
    if request.method == "POST" and request.POST.get("action") == "retry":
        try:
            import_retry(batch=batch)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("surveys:import_detail", batch_id=batch.pk)
    form = LeadImportForm(
        request.POST or None, headers=batch.headers, mapping=batch.mapping, fields=field_labels()
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_queue(
                batch=batch,
                mapping=form.mapping(),
                mode=form.cleaned_data["mode"],
                dry_run=request.POST.get("action") != "import",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("surveys:import_detail", batch_id=batch.pk)
    errors = batch.errors.all()[:200]
    return render(
        request, "surveys/import_detail.html", {"batch": batch, "form": form, "errors": errors}
    )


@manager_required
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    batch = _import_for(request, batch_id)
    lines = (
        (error.row, field, message)
        for error in batch.errors.iterator(chunk_size=2000)
        for field, message in error.fields.items()
    )
    return csv_response(f"erreurs-clients-{batch.pk}.csv", ERROR_REPORT_HEADERS, lines)


@manager_required
def comments(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters: dict[str, Any] = {
        "category": request.GET.get("category", ""),
        "product": request.GET.get("product", ""),
        "reseller": request.GET.get("reseller", ""),
        "consent": request.GET.get("consent") == "1",
    }
    page = Paginator(selectors.comments(**filters), 50).get_page(request.GET.get("page"))
    rows = [{"answer": a, "readable": followups.may_read_comment(user, a)} for a in page]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "products": ProductCategory.objects.order_by("name"),
        "resellers": Partner.objects.filter(kind=PartnerKind.RESELLER).order_by("company_name"),
    }
    return render(request, "surveys/comments.html", context)


def _testimonial_rows() -> list[list[Any]]:
    return [
        [
            a.customer.first_name,
            a.score,
            a.comment,
            a.customer.product.name if a.customer.product else "",
            timezone.localtime(a.consent_at).date() if a.consent_at else "",
            a.consent_wording,
        ]
        for a in selectors.testimonials().iterator(chunk_size=1000)
    ]


@manager_required
def testimonials_export(request: HttpRequest) -> HttpResponseBase:
    """The promoters' comments they agreed to publish, with their first name only."""
    headers = [
        _("First name"),
        _("Score"),
        _("Comment"),
        _("Product"),
        _("Consent given on"),
        _("Consent wording"),
    ]
    rows = _testimonial_rows()
    return tabular.export_response(request.GET.get("format", ""), "temoignages", headers, rows)


@staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """The detractors to call back that this user must act on: open ones first, by due date."""
    rows = followups.follow_ups_for(request_user(request))
    state = request.GET.get("state", "open")
    rows = rows.filter(done_at__isnull=state == "open").order_by("due_on", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request, "surveys/follow_ups.html", {"page": page, "state": state, "today": today}
    )


def _follow_up_for(request: HttpRequest, pk: int) -> FollowUp:
    found = followups.follow_ups_for(request_user(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@staff_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    task = _follow_up_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            followups.follow_up_close(
                follow_up=task, outcome=request.POST.get("outcome", ""), actor=request_user(request)
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Follow-up closed."))
            return redirect("surveys:follow_ups")
    status = 422 if error else 200
    readable = followups.may_read_comment(request_user(request), task.answer)
    context = {"task": task, "error": error, "readable": readable}
    return render(request, "surveys/follow_up.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("", results, name="results"),
    path("customers/", customers, name="customers"),
    path("customers/import/", import_start, name="import_start"),
    path("customers/import/<int:batch_id>/", import_detail, name="import_detail"),
    path("customers/import/<int:batch_id>/errors.csv", import_errors, name="import_errors"),
    path("comments/", comments, name="comments"),
    path("testimonials/", testimonials_export, name="testimonials"),
    path("follow-ups/", follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/", follow_up, name="follow_up"),
]
