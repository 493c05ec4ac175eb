"""The managers' queue of coverage requests: what each reseller asks to change (départements
added and removed, products, capacity) beside what it takes now, approved or refused here."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.http import object_or_404
from relais.routing.choices import CoverageRequestStatus
from relais.routing.selectors import (
    coverage_request_change,
    coverage_request_get_for_user,
    coverage_requests_for_user,
    pending_coverage_requests_for_user,
)
from relais.routing.services import coverage_request_approve, coverage_request_refuse


class RefuseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why do you refuse it?"), max_length=300)


@manager_required
def coverage_requests(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    pending = [coverage_request_change(r) for r in pending_coverage_requests_for_user(user=user)]
    decided = coverage_requests_for_user(user=user).exclude(status=CoverageRequestStatus.PENDING)[
        :20
    ]
    context = {"pending": pending, "decided": decided, "form": RefuseForm()}
    return render(request, "routing/coverage_requests.html", context)


@require_POST
@manager_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    wish = object_or_404(request, coverage_request_get_for_user, pk)
    try:
        coverage_request_approve(coverage_request=wish, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Approved: leads now follow the new coverage of %(name)s.")
            % {"name": wish.partner.display_name},
        )
    return redirect("routing:coverage_requests")


@require_POST
@manager_required
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    wish = object_or_404(request, coverage_request_get_for_user, pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you refuse this request."))
        return redirect("routing:coverage_requests")
    try:
        coverage_request_refuse(
            coverage_request=wish, actor=request_user(request), reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Refused: %(name)s is told why.") % {"name": wish.partner.display_name}
        )
    return redirect("routing:coverage_requests")
