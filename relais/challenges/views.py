"""The managers' pages (under /challenges/): the list, a challenge's form, and its page with the
proposed targets (inputs, formula, a change with its reason), the lifecycle's buttons and the
live leaderboard. Every challenge and participant comes through ``_challenge``/``_participant``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.challenges import selectors, services, views_results
from relais.challenges.choices import TRANSITIONS, ChallengeStatus
from relais.challenges.forms import ChallengeForm, TargetForm
from relais.challenges.models import Challenge, Participant
from relais.core.errors import DomainError

EDITABLE = (ChallengeStatus.DRAFT, ChallengeStatus.SCHEDULED)
PAGE = 100  # participants per page of the targets table


def _challenge(pk: int) -> Challenge:
    # Managers see every challenge: the network's animation is theirs.
    try:
        return Challenge.objects.get(pk=pk)
    except Challenge.DoesNotExist:
        raise Http404 from None


def _participant(challenge: Challenge, pk: int) -> Participant:
    try:
        return challenge.participants.select_related("challenge").get(pk=pk)
    except Participant.DoesNotExist:
        raise Http404 from None


@manager_required
def challenge_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.challenges_list()
    return render(request, "challenges/list.html", {"challenges": rows})


@manager_required
def challenge_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    challenge = _challenge(pk) if pk else None
    if challenge and challenge.status not in EDITABLE:
        messages.error(request, _("A running or finished challenge is no longer edited."))
        return redirect("challenges:detail", challenge.pk)
    form = ChallengeForm(request.POST or None, request.FILES or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.created_by_id is None:
            saved.created_by = request_user(request)
        saved.save()
        form.save_m2m()
        messages.success(request, _("Challenge saved."))
        return redirect("challenges:detail", saved.pk)
    return render(request, "challenges/form.html", {"form": form, "challenge": challenge})


@manager_required
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    participants = challenge.participants.select_related("partner", "member__user").order_by("pk")
    page = Paginator(participants, PAGE).get_page(request.GET.get("page"))
    context = {
        "challenge": challenge,
        "participants": page.object_list,
        "page": page,
        "board": selectors.leaderboard(challenge),
        "moves": [ChallengeStatus(s) for s in TRANSITIONS[challenge.status]],
        "editable": challenge.status in EDITABLE,
        "open": challenge.status not in (ChallengeStatus.ENDED, ChallengeStatus.CANCELLED),
        "target_form": TargetForm(),
        **views_results.detail_extras(challenge),
    }
    return render(request, "challenges/detail.html", context)


@manager_required
@require_POST
def challenge_propose(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    try:
        n = services.participants_propose(challenge=challenge, actor=request_user(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Targets proposed for %(n)s participants.") % {"n": n})
    return redirect("challenges:detail", pk)


@manager_required
@require_POST
def challenge_move(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    try:
        services.challenge_move(
            challenge=challenge, to=request.POST.get("to", ""), actor=request_user(request)
        )
    except (DomainError, ValueError) as e:
        messages.error(request, getattr(e, "message", _("Unknown status.")))
    return redirect("challenges:detail", pk)


@manager_required
def target_edit(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    """One participant's target: the proposal's inputs and formula, and the change with why."""
    challenge = _challenge(pk)
    participant = _participant(challenge, participant_id)
    form = TargetForm(request.POST or None, initial={"target": participant.target})
    if request.method == "POST" and form.is_valid():
        try:
            services.target_change(
                participant=participant,
                target=form.cleaned_data["target"],
                reason=form.cleaned_data["reason"],
                actor=request_user(request),
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Target changed."))
            return redirect("challenges:detail", pk)
    context = {
        "challenge": challenge,
        "participant": participant,
        "form": form,
        "changes": participant.target_changes.select_related("actor"),
    }
    return render(request, "challenges/target.html", context)


app_name = "challenges"

urlpatterns: list[URLPattern] = [
    path("", challenge_list, name="list"),
    path("new/", challenge_form, name="new"),
    path("<int:pk>/", challenge_detail, name="detail"),
    path("<int:pk>/edit/", challenge_form, name="edit"),
    path("<int:pk>/propose/", challenge_propose, name="propose"),
    path("<int:pk>/move/", challenge_move, name="move"),
    path("<int:pk>/participants/<int:participant_id>/", target_edit, name="target"),
]
