"""The partner's "Mes challenges" (under /portal/challenges/): their target, progress and rank in
each challenge they take part in, and its leaderboard (pseudonyms unless names are shown).
Partner users only, and only their own partner's participations: another is a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from relais.accounts.decorators import partner_required, request_user
from relais.challenges import proofs, selectors
from relais.challenges.models import Participant
from relais.partners.models import Partner
from relais.partners.selectors import partner_for_user


def _partner(request: HttpRequest) -> Partner:
    partner = partner_for_user(request_user(request))
    if partner is None:
        raise Http404
    return partner


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    mine = selectors.partner_challenges(partner, user_id=request_user(request).pk)
    rows = [(c, p, selectors.rank_of(c, p)) for c, p in mine]
    return render(request, "challenges/portal_home.html", {"rows": rows})


@partner_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request)
    try:
        challenge, me = selectors.challenge_get_for_partner(
            partner=partner, pk=pk, user_id=request_user(request).pk
        )
    except Participant.DoesNotExist:
        raise Http404 from None
    board = selectors.leaderboard(challenge, viewer=partner, me=me)
    mine = [r for r in board.rows if r.mine] + ([board.own] if board.own else [])
    context = {
        "challenge": challenge,
        "me": me,
        # The board has ranked the viewer already (in its top or as its own row).
        "rank": mine[0].rank if mine else selectors.rank_of(challenge, me),
        "board": board,
        "objectives": proofs.participant_objectives(participant=me),
        # A reseller's staff taking part one by one: each one's rank, for the whole team.
        "staff": selectors.staff_ranks(challenge, partner) if me.member_id else [],
    }
    return render(request, "challenges/portal_detail.html", context)


app_name = "my_challenges"

urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("<int:pk>/", detail, name="detail"),
]
