"""``{% rewards_card challenge %}``: the rewards' projected cost and budget on a challenge's page,
with the way to the rewards page (a few COUNT queries, whatever the number of participants)."""

from __future__ import annotations

from typing import Any

from django import template

from relais.challenges.models import Challenge, Participant
from relais.challenges.rewards.selectors import rewards_projection

register = template.Library()


@register.inclusion_tag("challenges/rewards/_card.html")
def rewards_card(challenge: Challenge) -> dict[str, Any]:
    return {"challenge": challenge, "projection": rewards_projection(challenge=challenge)}


@register.inclusion_tag("challenges/rewards/_offered.html")
def rewards_offered(challenge: Challenge, me: Participant) -> dict[str, Any]:
    """What a participant can win (the rewards by place or level, without the budget), and once
    awarded what they won: shown on their portal page."""
    return {
        "challenge": challenge,
        "rewards": list(challenge.rewards.select_related("item")),
        "won": list(me.awards.order_by("pk")),
    }
