from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relais.accounts.decorators import staff_required
from relais.reporting.selectors import lead_summary, network_summary


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"summary": network_summary(), "leads": lead_summary()}
    return render(request, "reporting/dashboard.html", context)
