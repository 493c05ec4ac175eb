"""``/api/v1/challenges``: the challenges (a manager reads them all; a partner's token reads the
ones it takes part in, with its target, progress and rank) and a challenge's leaderboard (a
partner's: pseudonyms unless names are shown, and its own rank). The same selectors as the
pages; mounted in ``relais/api/api.py``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from relais.accounts.decorators import request_user
from relais.challenges import selectors
from relais.challenges.choices import ChallengeMetric, ChallengeStatus, Mechanic, Ranking
from relais.challenges.models import Challenge, Participant
from relais.core.apischema import ERRORS, RecordId
from relais.partners.selectors import partner_for_user

router = Router(tags=["challenges"])


class MineOut(Schema):
    target: Decimal
    progress: Decimal
    rank: int


class ChallengeOut(Schema):
    id: int
    name: str
    theme: str
    starts_on: date
    ends_on: date
    status: ChallengeStatus
    metric: ChallengeMetric
    mechanic: Mechanic
    ranking: Ranking
    top_n: int
    mine: MineOut | None = Field(
        description="For a partner's token: its own row. None for a manager."
    )


class RowOut(Schema):
    rank: int
    name: str = Field(description="The partner's name, or its pseudonym for another partner.")
    progress: Decimal
    target: Decimal
    percent: int
    mine: bool


class BoardOut(Schema):
    total: int
    rows: list[RowOut]
    own: RowOut | None = Field(description="The partner's own row when it is not among the top.")


def _out(c: Challenge, mine: dict[str, Any] | None) -> dict[str, Any]:
    fields = ("id", "name", "theme", "starts_on", "ends_on", "status", "metric", "mechanic")
    return {
        **{f: getattr(c, f) for f in fields},
        "ranking": c.ranking,
        "top_n": c.top_n,
        "mine": mine,
    }


def _row(r: selectors.Row) -> dict[str, Any]:
    p = r.participant
    return {
        "rank": r.rank,
        "name": r.name,
        "progress": p.progress,
        "target": p.target,
        "percent": p.percent,
        "mine": r.mine,
    }


@router.get("/challenges", response={200: list[ChallengeOut], **ERRORS})
def challenges(request: HttpRequest) -> list[dict[str, Any]]:
    user = request_user(request)
    if user.can_manage:
        return [_out(c, None) for c in Challenge.objects.all()]
    partner = partner_for_user(user)
    if partner is None:
        raise PermissionDenied(_("Only managers and partners read the challenges."))
    return [
        _out(c, {"target": p.target, "progress": p.progress, "rank": selectors.rank_of(c, p)})
        for c, p in selectors.partner_challenges(partner, user_id=user.pk)
    ]


@router.get("/challenges/{challenge_id}/leaderboard", response={200: BoardOut, **ERRORS})
def leaderboard(request: HttpRequest, challenge_id: RecordId) -> dict[str, Any]:
    """The top of the board (the first N of the challenge, else 10) and the partner's own row."""
    user = request_user(request)
    if user.can_manage:
        challenge = Challenge.objects.filter(pk=challenge_id).first()
        if challenge is None:
            raise Http404
        board = selectors.leaderboard(challenge)
    else:
        partner = partner_for_user(user)
        if partner is None:
            raise PermissionDenied(_("Only managers and partners read the challenges."))
        try:
            challenge, me = selectors.challenge_get_for_partner(
                partner=partner, pk=challenge_id, user_id=user.pk
            )
        except Participant.DoesNotExist:
            raise Http404 from None
        board = selectors.leaderboard(challenge, viewer=partner, me=me)
    return {
        "total": board.total,
        "rows": [_row(r) for r in board.rows],
        "own": _row(board.own) if board.own else None,
    }
