"""Moving partners in and out: CSV/XLSX import (mapping, dry run, report) and export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.tabular import ERROR_REPORT_HEADERS, csv_response, xlsx_bytes
from relais.core.uploads import upload_page
from relais.partners import selectors
from relais.partners.forms import ImportMappingForm, PartnerFilterForm
from relais.partners.models import PartnerImport
from relais.partners.services.imports import FIELDS, import_run, import_upload

EXPORT_COLUMNS = (
    "id", "kind", "legal_form", "status", "company_name", "first_name", "last_name", "email",
    "phone", "address_line", "postcode", "city", "departement_id", "siren", "siret",
    "vat_number", "tax_regime", "sector", "referral_code",
)  # fmt: skip


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
    if request.GET.get("format") == "xlsx":
        content = xlsx_bytes(EXPORT_COLUMNS, rows, title="partenaires")
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="partenaires-{stamp}.xlsx"'
        return response
    return csv_response(f"partenaires-{stamp}.csv", EXPORT_COLUMNS, rows)


@manager_required
def import_start(request: HttpRequest) -> HttpResponse:
    return upload_page(
        request, service=import_upload, detail="partners:import_detail",
        template="partners/import_start.html",
    )  # fmt: skip


@manager_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(PartnerImport, pk=batch_id)
    form = ImportMappingForm(
        request.POST or None, headers=batch.headers, mapping=batch.mapping, mode=batch.mode
    )
    if request.method == "POST" and form.is_valid() and batch.imported_at is None:
        dry_run = request.POST.get("action") != "import"
        try:
            report = import_run(
                batch=batch,
                mapping=form.mapping(),
                mode=form.cleaned_data["mode"],
                dry_run=dry_run,
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if report["created"]:
                messages.success(
                    request, _("%(count)s partners imported.") % {"count": report["created"]}
                )
            elif not dry_run:
                messages.error(
                    request,
                    _("Nothing imported: fix the rows in error, or import the valid rows only."),
                )
            return redirect("partners:import_detail", batch_id=batch.pk)
    labels = {field: label for field, (label, _aliases) in FIELDS.items()}
    context = {"batch": batch, "form": form, "report": batch.report, "labels": labels}
    return render(request, "partners/import_detail.html", context)


@manager_required
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    """Every row in error, one line per bad field: the file to fix and send again."""
    batch = get_object_or_404(PartnerImport, pk=batch_id)
    lines = (
        (error["row"], field, message)
        for error in batch.report.get("errors", [])
        for field, message in error["fields"].items()
    )
    return csv_response(f"erreurs-import-{batch.pk}.csv", ERROR_REPORT_HEADERS, lines)
