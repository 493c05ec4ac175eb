"""Managers' commission pages: the figures, the lines to approve, payment runs, DAS2, gift
redemptions, invoice corrections (the plan editor is ``plan_views``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.commissions import exports, selectors
from relais.commissions.choices import LineStatus, RedemptionStatus
from relais.commissions.forms import (
    CorrectionForm,
    ReasonForm,
    RunForm,
    StatementForm,
)
from relais.commissions.services import gifts, lines, runs
from relais.commissions.services.corrections import correction_request
from relais.commissions.services.documents import (
    STATEMENT_REQUEUE_SECONDS,
    run_statements_request,
    statement_request,
)
from relais.commissions.tax import das2 as das2_rows
from relais.commissions.tax import gift_totals
from relais.core.counting import CountingPaginator
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import attachment, object_or_404, same_site_next
from relais.core.jobs import job_latest
from relais.core.params import legal_value
from relais.core.tabular import csv_response, export_response


@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "commissions/dashboard.html", selectors.manager_summary())


@manager_required
def line_list(request: HttpRequest) -> HttpResponseBase:
    qs = selectors.commission_lines_for_user(user=request_user(request)).order_by(
        "-earned_on", "-pk"
    )
    status = request.GET.get("status", LineStatus.PENDING)
    if status in LineStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("held"):
        qs = qs.exclude(hold_reason="")
    if request.GET.get("format") in ("csv", "xlsx"):
        return export_response(
            request.GET["format"],
            "commission-lines",
            exports.line_headers(),
            exports.line_rows(qs),
            exports.LINE_FORMATS,
        )
    page = CountingPaginator(qs, 100).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": LineStatus.choices}
    return render(request, "commissions/lines.html", context)


@require_POST
@manager_required
def line_bulk(request: HttpRequest) -> HttpResponse:
    ticked = [int(pk) for pk in request.POST.getlist("line") if pk.isdigit()]
    lines_in_scope = selectors.commission_lines_for_user(user=request_user(request))
    ids = list(lines_in_scope.filter(pk__in=ticked).values_list("pk", flat=True))
    action = request.POST.get("action")
    move = {"approve": lines.lines_approve, "release": lines.lines_release}.get(action or "")
    if move is None or not ids:
        messages.error(request, _("Tick lines and choose an action."))
    else:
        try:
            done = move(ids=ids, actor=request_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(n)s lines updated.") % {"n": done})
    return redirect(same_site_next(request, "commissions:lines"))


@require_POST
@manager_required
def line_hold(request: HttpRequest, pk: int) -> HttpResponse:
    line = object_or_404(request, selectors.commission_line_get_for_user, pk)
    try:
        if line.hold_reason:
            lines.line_unhold(
                line=line, actor=request_user(request), note=request.POST.get("reason", "")
            )
        else:
            lines.line_hold(
                line=line, reason=request.POST.get("reason", ""), actor=request_user(request)
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(same_site_next(request, "commissions:lines"))


@manager_required
def run_list(request: HttpRequest) -> HttpResponseBase:
    if request.method == "GET" and request.GET.get("format") in ("csv", "xlsx"):
        all_runs = selectors.payment_runs_for_user(user=request_user(request))
        return export_response(
            request.GET["format"],
            "payment-runs",
            exports.run_headers(),
            exports.run_rows(all_runs.order_by("-pk")),
            exports.RUN_FORMATS,
        )
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = runs.run_create(actor=request_user(request), **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Payment run prepared."))
            return redirect("commissions:run", pk=run.pk)
    context = {
        "form": form,
        "runs": selectors.payment_runs_for_user(user=request_user(request))[:50],
    }
    return render(request, "commissions/runs.html", context, status=422 if form.errors else 200)


@manager_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = object_or_404(request, selectors.payment_run_get_for_user, pk)
    if request.GET.get("format") == "xml":
        return attachment(run.sepa_xml, "application/xml", f"sepa-{run.pk}.xml")
    items = run.items.select_related("partner", "invoice").order_by("partner__company_name")
    made = run.items.exclude(statement="").count()
    sending = job_latest(kind=runs.SEND_JOB, params={"run": run.pk})
    context = {
        "run": run,
        # The file marked sent: the worker issues the invoices, this page shows how far.
        "sending": sending,
        "items": items,
        "statements_made": made,
        "statements_missing": len(items) - made,
        "cancel": ReasonForm(),
        "statement": StatementForm(),
    }
    return render(request, "commissions/run.html", context)


@manager_required
def statement_download(request: HttpRequest, pk: int, item_id: int) -> HttpResponseBase:
    """A partner's statement in a run, as the task worker made it; until it has, a page saying
    so, its making queued (never built here, nor served from /media/, which nothing serves)."""
    item = object_or_404(request, selectors.payment_item_get_for_user, item_id)
    if item.run_id != pk:
        raise Http404
    if not item.statement:
        statement_request(item=item)
        page = render(request, "commissions/statement_pending.html", {"item": item}, status=202)
        page["Retry-After"] = str(STATEMENT_REQUEUE_SECONDS)
        return page
    name = f"releve-{item.run_id}-{item.partner_id}.pdf"
    return FileResponse(item.statement.open("rb"), as_attachment=True, filename=name)


@require_POST
@manager_required
def run_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    run = object_or_404(request, selectors.payment_run_get_for_user, pk)
    try:
        if action == "send":
            back = reverse("commissions:run", args=[run.pk])
            runs.run_send_queue(run=run, actor=request_user(request), back_url=back)
        elif action == "paid":
            runs.run_mark_paid(run=run, actor=request_user(request))
            messages.success(request, _("Marked as paid."))
        elif action == "cancel":
            runs.run_cancel(
                run=run, actor=request_user(request), reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Run cancelled: its lines are payable again."))
        elif action == "documents":
            missing = run_statements_request(run=run)
            messages.success(
                request,
                ngettext(
                    "The task worker is making the %(n)s missing statement.",
                    "The task worker is making the %(n)s missing statements.",
                    missing,
                )
                % {"n": missing}
                if missing
                else _("Every statement of this run is made."),
            )
        elif action == "statement" and "file" in request.FILES:
            upload = request.FILES.get("file")
            assert upload is not None
            assert not isinstance(upload, list)
            paid, problems = runs.run_import_statement(
                run=run, content=upload.read(), actor=request_user(request)
            )
            messages.success(request, _("%(n)s transfers marked paid.") % {"n": paid})
            for problem in problems[:20]:
                messages.warning(request, problem)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("commissions:run", pk=run.pk)


@manager_required
def das2_latest(request: HttpRequest) -> HttpResponse:
    """DAS2 is filed in spring for the year before."""
    return redirect("commissions:das2", year=timezone.localdate().year - 1)


@manager_required
def das2(request: HttpRequest, year: int) -> HttpResponseBase:
    rows = das2_rows(year)
    if request.GET.get("format") == "csv":
        headers = [
            _("Name"),
            _("First name"),
            _("Company"),
            _("Address"),
            _("Postcode"),
            _("City"),
            _("Profession"),
            _("SIRET"),
            _("Commissions incl. VAT"),
            _("Benefits in kind"),
            _("Total"),
            _("Missing"),
        ]
        data = (
            [
                r.partner.last_name,
                r.partner.first_name,
                r.partner.company_name,
                r.partner.address_line,
                r.partner.postcode,
                r.partner.city,
                r.partner.sector,
                r.partner.siret,
                r.commissions,
                r.benefits_in_kind,
                r.total,
                ", ".join(r.missing),
            ]
            for r in rows
        )
        return csv_response(f"das2-{year}.csv", headers, data)
    return render(request, "commissions/das2.html", {"rows": rows, "year": year})


@manager_required
def redemption_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = request.POST.get("redemption", "")
        redemption = object_or_404(
            request, selectors.redemption_get_for_user, int(chosen) if chosen.isdigit() else 0
        )
        action = request.POST.get("action")
        try:
            if action == "approve":
                gifts.redemption_approve(redemption=redemption, actor=request_user(request))
            elif action == "refuse":
                gifts.redemption_refuse(
                    redemption=redemption,
                    actor=request_user(request),
                    reason=request.POST.get("reason", ""),
                )
            elif action == "deliver":
                gifts.redemption_deliver(redemption=redemption, actor=request_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("commissions:redemptions")
    waiting = selectors.redemptions_for_user(user=request_user(request)).exclude(
        status__in=(RedemptionStatus.DELIVERED, RedemptionStatus.REFUSED)
    )
    year = timezone.localdate().year
    context = {
        "redemptions": waiting,
        "year": year,
        "totals": gift_totals(year),
        "cap": legal_value("gift_vat_cap", timezone.localdate()),
    }
    return render(request, "commissions/redemptions.html", context)


@manager_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    invoice = object_or_404(request, selectors.invoice_get_for_user, pk)
    if request.GET.get("format") == "pdf":
        return FileResponse(
            invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf"
        )
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction_request(invoice=invoice, actor=request_user(request), **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Correction sent to the partner for acceptance."))
            return redirect("commissions:invoice", pk=invoice.pk)
    context = {"invoice": invoice, "form": form, "today": timezone.localdate()}
    return render(request, "commissions/invoice.html", context, status=422 if form.errors else 200)
