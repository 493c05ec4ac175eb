"""Moving partners in and out: CSV/XLSX import (mapping, dry run, report, run by the task
worker with its progress shown) and export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.http import is_htmx, object_or_404
from relais.core.tabular import ERROR_REPORT_HEADERS, csv_response, export_response
from relais.core.uploads import upload_page
from relais.partners import selectors
from relais.partners.forms import ImportMappingForm, PartnerFilterForm
from relais.partners.services.imports import import_queue, import_resume, import_upload

EXPORT_COLUMNS = (
    "id",
    "kind",
    "legal_form",
    "status",
    "company_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line",
    "postcode",
    "city",
    "departement_id",
    "siren",
    "siret",
    "vat_number",
    "tax_regime",
    "sector",
    "referral_code",
)


@manager_required
def export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list, every page of it, as CSV (streamed) or XLSX."""
    filters = PartnerFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    rows: Iterator[Any] = (
        selectors.partner_list(request_user(request), filters=cleaned)
        .values_list(*EXPORT_COLUMNS)
        .iterator(chunk_size=2000)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    fmt = request.GET.get("format") or "csv"
    return export_response(fmt, f"partenaires-{stamp}", EXPORT_COLUMNS, rows)


@manager_required
def import_start(request: HttpRequest) -> HttpResponse:
    return upload_page(
        request,
        service=import_upload,
        detail="partners:import_detail",
        template="partners/import_start.html",
    )


@manager_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One view, full page or the htmx progress partial (polled while the worker runs)."""
    batch = object_or_404(request, selectors.partner_import_get_for_user, batch_id)
    if is_htmx(request):
        return render(request, "partners/partials/_import_progress.html", {"batch": batch})
    action = request.POST.get("action")
    bound = request.method == "POST" and action != "retry"
    form = ImportMappingForm(
        request.POST if bound else None,
        headers=batch.headers,
        mapping=batch.mapping,
        mode=batch.mode,
    )
    if request.method == "POST":
        try:
            if action == "retry":
                import_resume(batch=batch)
                return redirect("partners:import_detail", batch_id=batch.pk)
            if form.is_valid():
                import_queue(
                    batch=batch,
                    mapping=form.mapping(),
                    mode=form.cleaned_data["mode"],
                    dry_run=action != "import",
                )
                return redirect("partners:import_detail", batch_id=batch.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
            messages.error(request, exc.message)  # a refused retry has no form to show it
    context = {"batch": batch, "form": form, "report": batch.report}
    return render(
        request, "partners/import_detail.html", context, status=422 if form.errors else 200
    )


@manager_required
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    """Every row in error, one line per bad field: the file to fix and send again."""
    batch = object_or_404(request, selectors.partner_import_get_for_user, batch_id)
    lines = (
        (error["row"], field, message)
        for error in batch.report.get("errors", [])
        for field, message in error["fields"].items()
    )
    return csv_response(f"erreurs-import-{batch.pk}.csv", ERROR_REPORT_HEADERS, lines)
