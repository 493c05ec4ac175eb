"""Managers import leads: upload, mapping, then a dry run or the import, with live progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from relais.accounts.decorators import manager_required
from relais.core.errors import DomainError
from relais.core.http import is_htmx, object_or_404
from relais.core.tabular import ERROR_REPORT_HEADERS, csv_response
from relais.core.uploads import upload_page
from relais.leads import selectors
from relais.leads.forms import LeadImportForm
from relais.leads.imports import field_labels, import_queue, import_retry, import_upload
from relais.leads.models import LeadImport


@manager_required
def import_start(request: HttpRequest) -> HttpResponse:
    return upload_page(
        request,
        service=import_upload,
        detail="leads:import_detail",
        template="leads/import_start.html",
    )


@manager_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One view, full page or the htmx progress partial (polled while the worker runs)."""
    batch = object_or_404(request, selectors.lead_import_get_for_user, batch_id)
    if is_htmx(request):
        return render(request, "leads/partials/_import_progress.html", {"batch": batch})
    if request.method == "POST" and request.POST.get("action") == "retry":
        return _retry(request, batch)
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
            return redirect("leads:import_detail", batch_id=batch.pk)
    errors = batch.errors.all()[:200]
    return render(
        request, "leads/import_detail.html", {"batch": batch, "form": form, "errors": errors}
    )


def _retry(request: HttpRequest, batch: LeadImport) -> HttpResponse:
    """A failed or stalled import goes on after the rows it already created."""
    try:
        import_retry(batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("leads:import_detail", batch_id=batch.pk)


@manager_required
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    batch = object_or_404(request, selectors.lead_import_get_for_user, batch_id)
    lines = (
        (error.row, field, message)
        for error in batch.errors.iterator(chunk_size=2000)
        for field, message in error.fields.items()
    )
    return csv_response(f"erreurs-leads-{batch.pk}.csv", ERROR_REPORT_HEADERS, lines)
