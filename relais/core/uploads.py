"""The first page of every table import: upload a file, the service reads its headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relais.core.errors import DomainError


class TableUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


def upload_page(
    request: HttpRequest, *, service: Callable[..., Any], detail: str, template: str
) -> HttpResponse:
    """Show the form; on a good file, call ``service(upload=, actor=)`` and go to ``detail``."""
    form = TableUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = service(upload=form.cleaned_data["file"], actor=request.user)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(detail, batch_id=batch.pk)
    return render(request, template, {"form": form}, status=422 if form.errors else 200)


def check_import_size(upload: UploadedFile) -> None:
    """Every table import refuses a file over ``RELAIS_IMPORT_MAX_MB``, in the same words."""
    limit = settings.RELAIS_IMPORT_MAX_MB
    if (upload.size or 0) > limit * 1024 * 1024:
        raise DomainError(
            gettext("File %(name)s is %(size)s MB; at most %(limit)s MB can be imported.")
            % {"name": upload.name, "size": round((upload.size or 0) / 1048576), "limit": limit},
            code="file_too_large",
        )
