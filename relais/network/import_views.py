"""Importing accounts and contacts (under /network/imports/): upload a CSV/XLSX file or a vCard
export, map the columns, dry run or import, follow the progress, read the bad rows. A
salesperson reaches their own imports, a manager everyone's (``_import_for``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from relais.accounts.decorators import request_user, staff_required
from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.core.http import is_htmx
from relais.core.tabular import ERROR_REPORT_HEADERS, csv_response
from relais.leads.forms import LeadImportForm
from relais.network.choices import RelationshipContext, Strength, Visibility
from relais.network.imports import field_labels, import_queue, import_retry, import_upload
from relais.network.models import NetworkImport


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV, XLSX or vCard file"),
        help_text=_("A table with a header row, or the .vcf export of your address book."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.vcf,.vcard"}),
    )


class NetworkImportForm(LeadImportForm):
    """The columns, the mode, and (optional) the relationship recorded with every person."""

    strength = forms.TypedChoiceField(
        label=_("I know every person of this file: how well"),
        choices=[("", "—"), *Strength.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Leave empty to import the people without recording that you know them."),
    )
    context = forms.ChoiceField(
        label=_("How you know them"),
        choices=RelationshipContext.choices,
        initial=RelationshipContext.CUSTOMER,
        required=False,
    )
    visibility = forms.ChoiceField(
        label=_("Who may see these relationships"),
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        required=False,
    )

    def relationship(self) -> dict[str, object]:
        data = self.cleaned_data
        if not data.get("strength"):
            return {}
        return {
            "strength": data["strength"],
            "context": data["context"],
            "visibility": data["visibility"],
        }


def _import_for(user: User, batch_id: int) -> NetworkImport:
    """A salesperson's own imports (their address book); a manager's: every one."""
    found = NetworkImport.objects.filter(pk=batch_id)
    if not user.can_manage:
        found = found.filter(created_by=user)
    batch = found.first()
    if batch is None:
        raise Http404
    return batch


@staff_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_upload(upload=form.cleaned_data["file"], actor=request_user(request))
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("network:import_detail", batch_id=batch.pk)
    status = 422 if form.errors else 200
    return render(request, "network/import_start.html", {"form": form}, status=status)


@staff_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _import_for(request_user(request), batch_id)
    if is_htmx(request):
        return render(request, "network/partials/_import_progress.html", {"batch": batch})
    if request.method == "POST" and request.POST.get("action") == "retry":
        try:
            import_retry(batch=batch)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("network:import_detail", batch_id=batch.pk)
    form = NetworkImportForm(
        request.POST or None, headers=batch.headers, mapping=batch.mapping, fields=field_labels()
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_queue(
                batch=batch,
                mapping=form.mapping(),
                mode=form.cleaned_data["mode"],
                dry_run=request.POST.get("action") != "import",
                relationship=form.relationship(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("network:import_detail", batch_id=batch.pk)
    errors = batch.errors.all()[:200]
    context = {"batch": batch, "form": form, "errors": errors}
    return render(request, "network/import_detail.html", context)


@staff_required
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    batch = _import_for(request_user(request), batch_id)
    lines = (
        (error.row, field, message)
        for error in batch.errors.iterator(chunk_size=2000)
        for field, message in error.fields.items()
    )
    return csv_response(f"erreurs-reseau-{batch.pk}.csv", ERROR_REPORT_HEADERS, lines)


urlpatterns: list[URLPattern] = [
    path("imports/new/", import_start, name="import_start"),
    path("imports/<int:batch_id>/", import_detail, name="import_detail"),
    path("imports/<int:batch_id>/errors.csv", import_errors, name="import_errors"),
]
