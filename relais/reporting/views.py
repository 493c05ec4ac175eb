from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relais.accounts.decorators import request_user, staff_required
from relais.reporting.selectors import decisions_for_user, lead_summary, network_summary
from relais.routing.selectors import waiting_for_user


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The staff home: for a manager, what waits for a decision, then the network's figures;
    for a salesperson, the leads waiting for them."""
    user = request_user(request)
    if user.can_manage:
        context = {
            "decisions": decisions_for_user(user=user),
            "summary": network_summary(),
            "leads": lead_summary(),
        }
    else:
        context = {"waiting": waiting_for_user(user=user)}
    return render(request, "reporting/dashboard.html", context)
