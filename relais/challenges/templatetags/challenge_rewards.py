"""``{% rewards_card challenge %}``: the rewards' projected cost and budget on a challenge's page,
with the way to the rewards page (a few COUNT queries, whatever the number of participants)."""

from __future__ import annotations

from typing import Any

from django import template

from relais.challenges.models import Challenge
from relais.challenges.rewards.selectors import rewards_projection

register = template.Library()


@register.inclusion_tag("challenges/rewards/_card.html")
def rewards_card(challenge: Challenge) -> dict[str, Any]:
    return {"challenge": challenge, "projection": rewards_projection(challenge=challenge)}
