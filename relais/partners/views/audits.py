"""Compliance audits (recurring checklists) and disputes of one partner."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.partners import services
from relais.partners.forms import AuditCompleteForm, AuditScheduleForm, DisputeForm, DisputeMoveForm
from relais.partners.models import Partner
from relais.partners.views.common import get_partner_for_user


@manager_required
def compliance(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    action = request.POST.get("action")
    audit_form = AuditScheduleForm(request.POST if action == "audit" else None)
    dispute_form = DisputeForm(request.POST if action == "dispute" else None)
    try:
        if audit_form.is_bound and audit_form.is_valid():
            data = audit_form.cleaned_data
            services.audit_schedule(
                partner=partner,
                title=data["title"],
                due_date=data["due_date"],
                checks=data["checks"].splitlines(),
                recurrence_months=data["recurrence_months"],
                actor=request_user(request),
            )
            messages.success(request, _("Audit scheduled."))
            return redirect("partners:compliance", pk=partner.pk)
        if dispute_form.is_bound and dispute_form.is_valid():
            services.dispute_open(
                partner=partner, actor=request_user(request), **dispute_form.cleaned_data
            )
            messages.success(request, _("Dispute opened."))
            return redirect("partners:compliance", pk=partner.pk)
    except DomainError as exc:
        add_errors(dispute_form if dispute_form.is_bound else audit_form, exc)
    bound = audit_form.is_bound or dispute_form.is_bound
    return render(
        request,
        "partners/compliance.html",
        _context(partner, audit_form, dispute_form),
        status=422 if bound else 200,
    )


def _context(
    partner: Partner, audit_form: AuditScheduleForm, dispute_form: DisputeForm
) -> dict[str, object]:
    return {
        "partner": partner,
        "audits": partner.audits.prefetch_related("items"),
        "disputes": partner.disputes.all(),
        "audit_form": audit_form,
        "dispute_form": dispute_form,
        "move_form": DisputeMoveForm(),
    }


@manager_required
def audit_detail(request: HttpRequest, pk: int, audit_id: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    audit = partner.audits.filter(pk=audit_id).first()
    if audit is None:
        raise Http404
    items = list(audit.items.all())
    form = AuditCompleteForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_complete(
                audit=audit,
                results=form.results(),
                summary=form.cleaned_data["summary"],
                actor=request_user(request),
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Audit completed."))
            return redirect("partners:compliance", pk=partner.pk)
    return render(
        request,
        "partners/audit.html",
        {"partner": partner, "audit": audit, "form": form},
        status=422 if form.errors else 200,
    )


@manager_required
@require_POST
def dispute_move(request: HttpRequest, pk: int, dispute_id: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    dispute = partner.disputes.filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404
    form = DisputeMoveForm(request.POST)
    if form.is_valid():
        try:
            services.dispute_move(dispute=dispute, actor=request_user(request), **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Dispute updated."))
    return redirect("partners:compliance", pk=partner.pk)
