"""The assignee's inbox: a reseller's (or a salesperson's) leads, worked from a phone.

Opening a lead marks it opened (first view only). From the list, a status is one tap (in
progress) or two (won: the amount; lost: the reason); declining asks a reason and re-routes.
Every lead comes through ``inbox_lead``: a lead assigned to someone else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.choices import Role
from relais.accounts.decorators import request_user, role_required
from relais.core.errors import DomainError
from relais.core.http import is_htmx
from relais.leads.models import Lead
from relais.routing import services
from relais.routing.forms import DeclareForm, DeclineForm, lost_reasons
from relais.routing.selectors import assignee_of, inbox_for, inbox_lead

assignee_required = role_required(lambda u: u.role in (Role.RESELLER, Role.SALESPERSON))


def _lead(request: HttpRequest, pk: int) -> tuple[Lead, dict[str, Any]]:
    user = request_user(request)
    try:
        return inbox_lead(user, pk), assignee_of(user)
    except Lead.DoesNotExist:
        raise Http404 from None


@assignee_required
def inbox(request: HttpRequest) -> HttpResponse:
    closed = request.GET.get("show") == "closed"
    leads = inbox_for(request_user(request), closed=closed)
    page = Paginator(leads, 25).get_page(request.GET.get("page"))
    context = {"page": page, "closed": closed, "lost_reasons": lost_reasons()}
    return render(request, "portal/inbox.html", context)


@assignee_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead, who = _lead(request, pk)
    if services.assignment_open(lead=lead, actor=request_user(request), **who):
        lead.refresh_from_db()
    context = {"lead": lead, "lost_reasons": lost_reasons(), "detail": True}
    return render(request, "portal/inbox_detail.html", context)


def _card(request: HttpRequest, lead: Lead, error: str = "") -> HttpResponse:
    lead.refresh_from_db()
    context = {"lead": lead, "lost_reasons": lost_reasons(), "error": error}
    status = 422 if error else 200  # base.html lets htmx swap a 422: the card shows its error
    return render(request, "portal/partials/_inbox_card.html", context, status=status)


@require_POST
@assignee_required
def inbox_declare(request: HttpRequest, pk: int) -> HttpResponse:
    lead, who = _lead(request, pk)
    form = DeclareForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assignee_declare(
                lead=lead,
                to=data["to"],
                actor=request_user(request),
                amount=data["amount"],
                lost_reason=data["lost_reason"],
                **who,
            )
        except DomainError as exc:
            error = exc.message
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return _answer(request, lead, error, _("Status saved."))


@require_POST
@assignee_required
def inbox_decline(request: HttpRequest, pk: int) -> HttpResponse:
    lead, who = _lead(request, pk)
    form = DeclineForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.assignment_decline(
                lead=lead, actor=request_user(request), reason=form.cleaned_data["reason"], **who
            )
        except DomainError as exc:
            error = exc.message
        else:
            if is_htmx(request):
                return HttpResponse("")  # the card leaves the inbox
    else:
        error = _("Say why you decline this lead.")
    return _answer(request, lead, error, _("Lead declined: it goes to someone else."))


def _answer(request: HttpRequest, lead: Lead, error: str, done: str) -> HttpResponse:
    if is_htmx(request):
        return _card(request, lead, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("portal:inbox")
