from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relais.accounts.decorators import manager_required, request_user, staff_required
from relais.core.http import is_htmx
from relais.reporting import dashboard as charts
from relais.reporting import france
from relais.reporting.forms import DashboardFilterForm
from relais.reporting.selectors import decisions_for_user, lead_summary, network_summary
from relais.routing.selectors import waiting_for_user


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The staff home: for a manager, what waits for a decision, then the network's figures
    and charts under the filters (an htmx change redraws the charts alone); for a
    salesperson, the leads waiting for them."""
    user = request_user(request)
    if not user.can_manage:
        return render(request, "reporting/dashboard.html", {"waiting": waiting_for_user(user=user)})
    form = DashboardFilterForm(request.GET)
    figures = {"form": form, "charts": charts.charts(form.filters())}
    if is_htmx(request):
        return render(request, "reporting/partials/_figures.html", figures)
    context = {
        "decisions": decisions_for_user(user=user),
        "summary": network_summary(),
        "leads": lead_summary(),
        **figures,
    }
    return render(request, "reporting/dashboard.html", context)


@manager_required
def departement_map(request: HttpRequest) -> HttpResponse:
    """France by département, coloured by the measure chosen, with the same figures as a table."""
    form = DashboardFilterForm(request.GET)
    context = {"form": form, "map": france.france_map(form.filters(), request.GET.get("measure"))}
    template = "reporting/partials/_map.html" if is_htmx(request) else "reporting/map.html"
    return render(request, template, context)
