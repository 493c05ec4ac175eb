"""Reads of introductions: the two colleagues' own, one for its page (anyone else: a 404), and
the leaderboard of shared introductions and the deals they brought."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from relais.accounts.models import User
from relais.leads.choices import LeadStatus
from relais.network.choices import IntroductionStatus, Visibility
from relais.network.models import Introduction

ANSWERED = (
    IntroductionStatus.ACCEPTED,
    IntroductionStatus.MEETING_HELD,
    IntroductionStatus.OPPORTUNITY,
    IntroductionStatus.NO_OUTCOME,
)


def introductions_for_user(*, user: User) -> QuerySet[Introduction]:
    """What the user asked for and what they were asked: nobody else's, a manager's neither
    (an introduction names a relationship's owner)."""
    return (
        Introduction.objects.filter(Q(requester=user) | Q(relationship__owner=user))
        .select_related(
            "requester", "relationship__owner", "relationship__contact", "relationship__account"
        )
        .order_by("-created_at", "-pk")
    )


def introduction_get_for_user(*, user: User, pk: int) -> Introduction:
    """Raises Introduction.DoesNotExist outside the user's scope (a 404 to callers)."""
    if not user.is_staff_member:
        raise Introduction.DoesNotExist
    return introductions_for_user(user=user).get(pk=pk)


def introduction_for_user(user: User, pk: int) -> Introduction:
    try:
        return introduction_get_for_user(user=user, pk=pk)
    except Introduction.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class BoardRow:
    user_id: int
    name: str
    given: int
    opportunities: int
    deals: int
    won: Decimal


def _name(row: Mapping[str, Any]) -> str:
    first, last = row["relationship__owner__first_name"], row["relationship__owner__last_name"]
    return f"{first} {last}".strip() or str(row["relationship__owner__email"])


def introductions_leaderboard(*, since: date | None = None, limit: int = 20) -> list[BoardRow]:
    """Colleagues ranked by the deals their introductions brought, then by the introductions
    they gave: the sharing the seed says to celebrate. Counts the introductions accepted (asked
    from ``since`` on); a declined or unanswered one is nobody's glory."""
    intros = Introduction.objects.filter(status__in=ANSWERED)
    if since is not None:
        intros = intros.filter(created_at__date__gte=since)
    won = Q(lead__status=LeadStatus.WON)
    rows = (
        intros.values(
            "relationship__owner_id",
            "relationship__owner__first_name",
            "relationship__owner__last_name",
            "relationship__owner__email",
        )
        .annotate(
            given=Count("pk"),
            opportunities=Count("pk", filter=Q(status=IntroductionStatus.OPPORTUNITY)),
            deals=Count("pk", filter=won),
            won=Sum("lead__won_amount", filter=won),
        )
        .order_by("-deals", "-won", "-given", "relationship__owner__last_name")[:limit]
    )
    return [
        BoardRow(
            user_id=r["relationship__owner_id"],
            name=_name(r),
            given=r["given"],
            opportunities=r["opportunities"],
            deals=r["deals"],
            won=r["won"] or Decimal(0),
        )
        for r in rows
    ]


def owner_shown(*, intro: Introduction, user: User) -> bool:
    """Whether ``user`` may know who the owner is: always their own; a shared relationship's;
    an "on request" one's once the owner accepted (they introduce), never before nor after a
    refusal."""
    if intro.relationship.owner_id == user.pk:
        return True
    if intro.relationship.visibility == Visibility.SHARED:
        return True
    return intro.status in ANSWERED
