"""Staff pages for partners: list, detail, create, edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relais.accounts.decorators import manager_required
from relais.accounts.models import User
from relais.partners import selectors, services
from relais.partners.forms import PartnerFilterForm, PartnerForm
from relais.partners.models import Partner

PAGE_SIZE = 50


def _get_partner_for_user(request: HttpRequest, pk: int) -> Partner:
    assert isinstance(request.user, User)
    try:
        return selectors.partner_get_for_user(request.user, pk)
    except Partner.DoesNotExist:
        raise Http404 from None


def _add_service_errors(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@manager_required
def partner_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    filters = PartnerFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(selectors.partner_list(request.user, filters=cleaned), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "partners/list.html", context)


@manager_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _get_partner_for_user(request, pk)
    return render(request, "partners/detail.html", {"partner": partner})


@manager_required
def partner_create(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, partner=None)
    return render(request, "partners/form.html", {"form": form})


@manager_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _get_partner_for_user(request, pk)
    initial: dict[str, Any] = {f: getattr(partner, f) for f in services.EDITABLE_FIELDS}
    initial["served_departements"] = list(
        partner.served_departements.values_list("code", flat=True)
    )
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, partner=partner)
    return render(request, "partners/form.html", {"form": form, "partner": partner})


def _save(request: HttpRequest, form: PartnerForm, *, partner: Partner | None) -> HttpResponse:
    data = dict(form.cleaned_data)
    served = data.pop("served_departements", [])
    try:
        if partner is None:
            partner, warnings = services.partner_create(data=data, served_departements=served)
        else:
            partner, warnings = services.partner_update(
                partner=partner, data=data, served_departements=served
            )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return render(request, "partners/form.html", {"form": form, "partner": partner}, status=422)
    for warning in warnings:
        messages.warning(request, warning)
    messages.success(request, _("Partner %(name)s saved.") % {"name": partner.display_name})
    return redirect("partners:detail", pk=partner.pk)
