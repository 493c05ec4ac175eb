"""The selection scorecard of a candidate: scores with evidence, then a decision."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import absolute_url
from relais.partners import services
from relais.partners.forms import DecisionForm, PortfolioForm, ScorecardForm
from relais.partners.models import Scorecard, SelectionCriterion
from relais.partners.services.portfolio import portfolio_import, portfolio_summary
from relais.partners.views.common import get_partner_for_user


@manager_required
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    card = Scorecard.objects.filter(partner=partner).first()
    criteria = list(SelectionCriterion.objects.filter(active=True))
    existing = {s.criterion_id: s for s in card.scores.all()} if card else {}
    scores_form = ScorecardForm(
        request.POST if request.POST.get("action") == "score" else None,
        criteria=criteria,
        existing=existing,
    )
    decision_form = DecisionForm(request.POST if request.POST.get("action") == "decide" else None)
    status = 200
    try:
        if scores_form.is_bound and scores_form.is_valid():
            services.scorecard_score(
                partner=partner, scores=scores_form.scores(), actor=request_user(request)
            )
            messages.success(request, _("Scores saved."))
            return redirect("partners:scorecard", pk=partner.pk)
        if decision_form.is_bound and decision_form.is_valid():
            services.scorecard_decide(
                partner=partner,
                decision=decision_form.cleaned_data["decision"],
                note=decision_form.cleaned_data["note"],
                actor=request_user(request),
                build_login_url=lambda raw: absolute_url(
                    reverse("accounts:magic_link", args=[raw]), request
                ),
            )
            messages.success(request, _("Decision recorded."))
            return redirect("partners:detail", pk=partner.pk)
    except DomainError as exc:
        add_errors(decision_form if decision_form.is_bound else scores_form, exc)
    if scores_form.errors or decision_form.errors:
        status = 422
    context = {
        "partner": partner,
        "card": card,
        "scores_form": scores_form,
        "decision_form": decision_form,
        "total": card.total() if card else None,
        "portfolio": portfolio_summary(partner),
        "portfolio_form": PortfolioForm(),
    }
    return render(request, "partners/scorecard.html", context, status=status)


@manager_required
@require_POST
def portfolio_upload(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    form = PortfolioForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV or XLSX file."))
        return redirect("partners:scorecard", pk=partner.pk)
    try:
        report = portfolio_import(
            partner=partner, upload=form.cleaned_data["file"], actor=request_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if report["errors"]:
            for error in report["errors"][:20]:
                messages.error(request, _("Row %(row)s: %(error)s") % error)
            messages.error(request, _("Nothing imported: correct the rows above."))
        else:
            messages.success(
                request, _("%(count)s past deals imported.") % {"count": report["imported"]}
            )
    return redirect("partners:scorecard", pk=partner.pk)
