"""Staff pages for partner records: list, detail with its timeline, create, edit, status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.audit import audit_trail
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.timeline import Entry
from relais.partners import extensions, selectors, services
from relais.partners.forms import PartnerFilterForm, PartnerForm, TransitionForm
from relais.partners.models import Partner
from relais.partners.services.status import allowed_moves
from relais.partners.timeline import partner_timeline
from relais.partners.views.common import get_partner_for_user

PAGE_SIZE = 50


@manager_required
def partner_list(request: HttpRequest) -> HttpResponse:
    filters = PartnerFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(
        selectors.partner_list(request_user(request), filters=cleaned), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, "partners/list.html", context)


@manager_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    return render(request, "partners/detail.html", _detail_context(partner))


def _detail_context(
    partner: Partner, transition_form: TransitionForm | None = None
) -> dict[str, Any]:
    moves = allowed_moves(partner)
    return {
        "partner": partner,
        "transition_form": transition_form or TransitionForm(moves=moves),
        "documents": services.documents_for(partner),
        "scorecard": getattr(partner, "scorecard", None),
        "declarations": partner.declarations.all()[:20],
        "timeline": _timeline(partner),
        "panels": extensions.panels_for(partner),
    }


def _timeline(partner: Partner) -> list[Entry]:
    """The partner's own history and what the apps above add to it, newest first."""
    entries = partner_timeline(audit_trail(partner)[:100]) + extensions.timeline_entries(partner)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:100]


@manager_required
@require_POST
def partner_transition(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    form = TransitionForm(request.POST, moves=allowed_moves(partner))
    if form.is_valid():
        try:
            services.partner_transition(
                partner=partner,
                to=form.cleaned_data["to"],
                actor=request_user(request),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Status changed to %(status)s.") % {"status": partner.get_status_display()},
            )
            return redirect("partners:detail", pk=partner.pk)
    return render(request, "partners/detail.html", _detail_context(partner, form), status=409)


@manager_required
def partner_create(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, partner=None)
    return render(request, "partners/form.html", {"form": form}, status=_status(form))


@manager_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    initial: dict[str, Any] = {f: getattr(partner, f) for f in services.EDITABLE_FIELDS}
    initial["served_departements"] = list(
        partner.served_departements.values_list("code", flat=True)
    )
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(request, form, partner=partner)
    context = {"form": form, "partner": partner}
    return render(request, "partners/form.html", context, status=_status(form))


def _status(form: PartnerForm) -> int:
    """A refused form is a 422 (a client's error), not a page like any other."""
    return 422 if form.errors else 200


def _save(request: HttpRequest, form: PartnerForm, *, partner: Partner | None) -> HttpResponse:
    data = dict(form.cleaned_data)
    served = data.pop("served_departements", [])
    try:
        if partner is None:
            partner, warnings = services.partner_create(
                data=data, served_departements=served, actor=request_user(request)
            )
        else:
            partner, warnings = services.partner_update(
                partner=partner, data=data, served_departements=served, actor=request_user(request)
            )
    except ValidationError as exc:
        add_errors(form, exc)
        return render(request, "partners/form.html", {"form": form, "partner": partner}, status=422)
    for warning in warnings:
        messages.warning(request, warning)
    messages.success(request, _("Partner %(name)s saved.") % {"name": partner.display_name})
    return redirect("partners:detail", pk=partner.pk)
