"""Managers' routing pages: coverage, the unassigned queue, manual assignment, the KPI table and
the yearly review (with its PDF and XLSX)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.counting import CountingPaginator
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.jobs import job_start
from relais.leads.models import Lead
from relais.leads.selectors import lead_get_for_user
from relais.routing import exports, scorecard, services
from relais.routing.coverage import coverage as coverage_rows
from relais.routing.coverage import summary
from relais.routing.forms import AssignForm
from relais.routing.kpis import kpi_rows, kpi_snapshot, network_average, periods
from relais.routing.review import review_accept, undecided, yearly_review
from relais.routing.selectors import unassigned_queue


@manager_required
def coverage(request: HttpRequest) -> HttpResponse:
    rows = coverage_rows()
    context = {"rows": rows, "summary": summary(rows), "year": timezone.localdate().year}
    return render(request, "routing/coverage.html", context)


@manager_required
def unassigned(request: HttpRequest) -> HttpResponse:
    page = CountingPaginator(unassigned_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "routing/unassigned.html", {"page": page})


@manager_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lead = lead_get_for_user(request_user(request), pk)
    except Lead.DoesNotExist:
        raise Http404 from None
    form = AssignForm(request.POST or None, lead=lead)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(lead=lead, actor=request_user(request), **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Lead assigned."))
            return redirect("leads:detail", pk=lead.pk)
    history = lead.assignments.select_related("reseller", "salesperson", "assigned_by")
    context = {"lead": lead, "form": form, "history": history}
    return render(request, "routing/assign.html", context, status=422 if form.errors else 200)


@manager_required
def kpis(request: HttpRequest) -> HttpResponseBase:
    snapshot = kpi_snapshot(request.GET.get("period"), fresh="fresh" in request.GET)
    table = snapshot.table
    if request.GET.get("format") == "xlsx":
        return exports.kpi_xlsx(table)
    # A hundred resellers a page, in rank order (the XLSX has them all).
    page = CountingPaginator(table, 100).get_page(request.GET.get("page"))
    start, end = snapshot.start, snapshot.end
    context = {
        "table": table,
        "page": page,
        "lines": scorecard.scorecard_rows(kpis=page, start=start, end=end),
        "added": scorecard.headings(),
        "added_network": scorecard.scorecard_network(start=start, end=end),
        "network": network_average(table),
        "rows": kpi_rows(),
        "start": snapshot.start,
        "end": snapshot.end,
        "computed_at": snapshot.computed_at,
        "period": snapshot.period,
        "periods": periods(),
    }
    return render(request, "routing/kpis.html", context)


@require_POST
@manager_required
def review_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The review's PDF takes seconds: the task worker makes it, its page shows how far."""
    job = job_start(
        kind="routing.review_pdf",
        label=_("Yearly review %(year)s (PDF)") % {"year": year},
        params={"year": year},
        actor=request_user(request),
        back_url=reverse("routing:review", args=[year]),
    )
    return redirect("job", pk=job.pk)


@manager_required
def review(request: HttpRequest, year: int) -> HttpResponseBase:
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("accept") if pk.isdigit()]
        try:
            outcome = review_accept(year=year, reseller_ids=ids, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            message = exports.accepted_message(outcome.accepted, outcome.undecided)
            if outcome.accepted:
                messages.success(request, message)
            else:
                messages.warning(request, _("Tick the proposals you accept.") + " " + message)
        return redirect("routing:review", year=year)
    reviews = yearly_review(year)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return exports.review_xlsx(year, reviews)
    context = {
        "year": year,
        "reviews": reviews,
        "proposed": sum(len(r.proposals) for r in reviews),
        "undecided": undecided(reviews),
        "added": scorecard.headings(),
    }
    return render(request, "routing/review.html", context)
