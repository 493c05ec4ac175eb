"""Events the surveys app publishes for higher apps (outbound webhooks) to act on."""

from __future__ import annotations

from dataclasses import dataclass

from relais.core.events import Event


@dataclass(frozen=True)
class SurveyAnswered(Event):
    """A customer's score, given or changed (``previous_score`` None: the first click)."""

    answer_id: int
    previous_score: int | None
