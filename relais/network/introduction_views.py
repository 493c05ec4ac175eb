"""Introductions' pages: asking a colleague (through a relationship one may see), the owner's
answer, the asker's outcome, one's introductions, and the leaderboard of shared introductions.
Every object comes through a scoped getter: anyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import request_user, staff_required
from relais.commissions.selectors import employee_bonuses_for_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.network import introductions as svc
from relais.network import selectors
from relais.network.introduction_forms import DeclineForm, IntroductionRequestForm, OutcomeForm
from relais.network.introduction_selectors import (
    introduction_for_user,
    introductions_for_user,
    introductions_leaderboard,
    owner_shown,
)


@staff_required
def introduction_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for an introduction through relationship ``pk`` (a private one of someone else's, or
    one the sharing switch hides, is a 404)."""
    user = request_user(request)
    rel, seen = selectors.relationship_for_user(user, pk)
    form = IntroductionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            intro = svc.introduction_request(requester=user, relationship=rel, **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your request is sent: you will be told the answer."))
            return redirect("network:introduction", intro.pk)
    context = {"form": form, "seen": seen, "contact": rel.contact, "account": rel.account}
    return render(
        request, "network/introduction_new.html", context, status=422 if form.errors else 200
    )


@staff_required
def introduction_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    intros = list(introductions_for_user(user=user)[:200])
    rows = [(i, owner_shown(intro=i, user=user)) for i in intros]
    context = {
        "to_answer": [(i, s) for i, s in rows if i.relationship.owner_id == user.pk],
        "asked": [(i, s) for i, s in rows if i.requester_id == user.pk],
        "bonuses": employee_bonuses_for_user(user=user).filter(employee=user)[:50],
    }
    return render(request, "network/introductions.html", context)


def _detail(request: HttpRequest, intro: object, **forms: object) -> HttpResponse:
    user = request_user(request)
    context = {
        "intro": intro,
        "owner_shown": owner_shown(intro=intro, user=user),  # type: ignore[arg-type]
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
    }
    status = 422 if any(getattr(f, "errors", None) for f in forms.values()) else 200
    return render(request, "network/introduction.html", context, status=status)


@staff_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, introduction_for_user(request_user(request), pk))


@staff_required
@require_POST
def introduction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner accepts, or declines with a reason."""
    user = request_user(request)
    intro = introduction_for_user(user, pk)
    try:
        if request.POST.get("action") == "accept":
            svc.introduction_accept(introduction=intro, actor=user)
            messages.success(request, _("Accepted: your colleague is told."))
        else:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                return _detail(request, intro, decline_form=form)
            svc.introduction_decline(
                introduction=intro, actor=user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Declined: your colleague reads your reason."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("network:introduction", pk)


@staff_required
@require_POST
def introduction_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """The asker records what came of it (an opportunity opens the lead they work)."""
    user = request_user(request)
    intro = introduction_for_user(user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            intro = svc.introduction_outcome_record(
                introduction=intro,
                actor=user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                lead_data=form.lead_data(),
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Recorded: your colleague is told what came of it."))
            if intro.lead_id:
                return redirect("leads:detail", intro.lead_id)
            return redirect("network:introduction", pk)
    return _detail(request, introduction_for_user(user, pk), outcome_form=form)


@staff_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    """Colleagues whose shared relationships brought introductions and deals."""
    return render(request, "network/leaderboard.html", {"rows": introductions_leaderboard()})


urlpatterns: list[URLPattern] = [
    path("introductions/", introduction_list, name="introductions"),
    path("introductions/leaderboard/", leaderboard, name="leaderboard"),
    path("introductions/<int:pk>/", introduction_detail, name="introduction"),
    path("introductions/<int:pk>/answer/", introduction_answer, name="introduction_answer"),
    path("introductions/<int:pk>/outcome/", introduction_outcome, name="introduction_outcome"),
    path("relationships/<int:pk>/introduction/", introduction_new, name="introduction_new"),
]
