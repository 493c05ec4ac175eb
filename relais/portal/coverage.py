"""What a reseller takes (départements, products, leads a month): it asks, a manager decides.

The page shows what leads follow today, the request waiting for a manager if any (the form
starts from it, so a second request amends the first) and the last decision with its reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relais.accounts.decorators import partner_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.models import Departement
from relais.leads.models import ProductCategory
from relais.partners.choices import PartnerKind
from relais.portal.views import _partner
from relais.routing.choices import CoverageRequestStatus
from relais.routing.forms import ResellerProfileForm
from relais.routing.selectors import (
    coverage_request_wish,
    coverage_requests_for_user,
    reseller_profile_of,
)
from relais.routing.services import coverage_request_submit


@partner_required
def coverage(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    if partner.kind != PartnerKind.RESELLER:
        raise Http404
    user = request_user(request)
    current = reseller_profile_of(partner)
    # A pending request is always the latest (a new one replaces it): the latest is either the
    # request waiting for a manager, or the last decision, shown with its reason.
    latest = coverage_requests_for_user(user=user).first()
    waiting = latest is not None and latest.status == CoverageRequestStatus.PENDING
    pending, decided = (latest, None) if waiting else (None, latest)
    start = coverage_request_wish(pending) if pending else current
    initial = {
        "departements": start.departements,
        "categories": [str(pk) for pk in start.categories],
        "monthly_capacity": start.monthly_capacity,
    }
    form = ResellerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            coverage_request_submit(
                partner=partner,
                departements=data["departements"],
                categories=[int(pk) for pk in data["categories"]],
                monthly_capacity=data["monthly_capacity"],
                actor=user,
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Request sent: a manager will review it. Until then, leads follow what "
                    "you take today."
                ),
            )
            return redirect("portal:coverage")
    context = {
        "form": form,
        "current": current,
        "current_departements": Departement.objects.filter(code__in=current.departements),
        "current_categories": ProductCategory.objects.filter(pk__in=current.categories),
        "pending": pending,
        "decided": decided,
    }
    return render(request, "portal/coverage.html", context, status=422 if form.errors else 200)
