"""The manager's certificates: the list (filters, CSV/XLSX export), a certificate's PDF, and
revoking one with its reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.accounts.decorators import manager_required, request_user
from relais.core import tabular
from relais.core.http import attachment, object_or_404
from relais.training.certificate_selectors import certificate_get_for_user, certificate_list
from relais.training.certificates import (
    certificate_pdf,
    certificate_revoke,
    certificate_state,
    certificate_title,
)
from relais.training.choices import CertificateState
from relais.training.models import Certificate, Module, Path

PAGE_SIZE = 50


class CertificateFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("Any")), *CertificateState.choices],
    )
    module = forms.ModelChoiceField(
        label=gettext_lazy("Module"),
        required=False,
        queryset=Module.objects.order_by("title"),
        empty_label=gettext_lazy("Any"),
    )
    path = forms.ModelChoiceField(
        label=gettext_lazy("Path"),
        required=False,
        queryset=Path.objects.order_by("title"),
        empty_label=gettext_lazy("Any"),
    )
    q = forms.CharField(label=gettext_lazy("Partner or code"), required=False, max_length=100)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why revoke it"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _filtered(request: HttpRequest) -> tuple[CertificateFilterForm, Any]:
    filters = CertificateFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    return filters, certificate_list(user=request_user(request), filters=cleaned)


def _rows(certificates: Iterable[Certificate]) -> Iterator[dict[str, Any]]:
    now = timezone.now()
    for c in certificates:
        yield {
            "certificate": c,
            "title": certificate_title(c),
            "state": certificate_state(c, now=now),
        }


@manager_required
def certificates_page(request: HttpRequest) -> HttpResponse:
    filters, certificates = _filtered(request)
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "rows": list(_rows(page)),
        "query": query.urlencode(),
    }
    return render(request, "training/certificates.html", context)


def _local_date(moment: Any) -> Any:
    return timezone.localtime(moment).date() if moment else ""


@manager_required
def certificates_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as CSV (streamed) or XLSX (``?format=xlsx``)."""
    _filters, certificates = _filtered(request)
    headers = [
        _("Partner"),
        _("E-mail"),
        _("Training"),
        _("Version"),
        _("Issued"),
        _("Expires"),
        _("State"),
        _("Verification code"),
        _("Why revoked"),
    ]
    rows = (
        [
            row["certificate"].partner.display_name,
            row["certificate"].partner.email,
            row["title"],
            row["certificate"].version,
            _local_date(row["certificate"].issued_at),
            _local_date(row["certificate"].expires_at),
            row["state"].label,
            row["certificate"].code,
            row["certificate"].revoked_reason,
        ]
        for row in _rows(certificates.iterator(chunk_size=2000))
    )
    return tabular.export_response(request.GET.get("format", ""), "certificates", headers, rows)


@manager_required
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = object_or_404(request, _lookup, pk)
    return attachment(
        certificate_pdf(certificate), "application/pdf", f"certificate-{certificate.code}.pdf"
    )


def _lookup(*, user: Any, pk: int) -> Certificate:
    return certificate_get_for_user(user=user, pk=pk)


@manager_required
def certificate_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page with the reason to give; the POST revokes."""
    certificate = object_or_404(request, _lookup, pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(
                certificate=certificate,
                actor=request_user(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # a dict of fields or one message, both placed
        else:
            messages.success(request, _("The certificate is revoked."))
            return redirect("training:certificates")
    context = {
        "certificate": certificate,
        "title": certificate_title(certificate),
        "state": certificate_state(certificate),
        "form": form,
    }
    return render(
        request, "training/certificate_revoke.html", context, status=422 if form.errors else 200
    )


urlpatterns: list[URLPattern] = [
    path("certificates/", certificates_page, name="certificates"),
    path("certificates/export/", certificates_export, name="certificates_export"),
    path("certificates/<int:pk>/pdf/", certificate_download, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", certificate_revoke_page, name="certificate_revoke"),
]
