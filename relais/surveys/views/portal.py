"""A reseller's page in the portal: their customers' NPS (from the counters) and the unhappy
customers of deals they sold, whose comment they read and whose call-back they record."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relais.accounts.decorators import partner_required, request_user
from relais.core.errors import DomainError
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.partners.selectors import partner_for_user
from relais.surveys import followups, selectors
from relais.surveys.choices import Dimension
from relais.surveys.models import ALL_TIME, NpsCounter


def _reseller(request: HttpRequest) -> Partner:
    partner = partner_for_user(request_user(request))
    if partner is None or partner.kind != PartnerKind.RESELLER:
        raise Http404
    return partner


@partner_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    partner = _reseller(request)
    tasks = followups.follow_ups_of_reseller(partner.pk)
    if request.method == "POST":
        task = tasks.filter(pk=request.POST.get("task", "0") or 0, done_at__isnull=True).first()
        if task is None:
            raise Http404
        try:
            followups.follow_up_close(
                follow_up=task, outcome=request.POST.get("outcome", ""), actor=request_user(request)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Follow-up closed."))
        return redirect("my_nps:home")
    months = NpsCounter.objects.filter(
        dimension=Dimension.RESELLER, key=str(partner.pk), month__gt=ALL_TIME
    ).order_by("-month")[:12]
    context = {
        "nps": selectors.nps_of_reseller(partner.pk),
        "months": [
            selectors.Nps(m.promoters, m.passives, m.detractors, label=m.month.strftime("%m/%Y"))
            for m in months
        ],
        "open": tasks.filter(done_at__isnull=True).order_by("due_on"),
        "done": tasks.filter(done_at__isnull=False).order_by("-done_at")[:20],
    }
    return render(request, "surveys/portal.html", context)


urlpatterns: list[URLPattern] = [path("", home, name="home")]
