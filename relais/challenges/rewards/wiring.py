"""What the rewards hook into, called from ``ChallengesConfig.ready()``: the tax pack's benefits
source (DAS2, the 73 € cap) and the close's awarding job."""

from __future__ import annotations

from datetime import timedelta

from relais.challenges.rewards.selectors import award_benefits
from relais.challenges.rewards.services import award_job
from relais.commissions import benefits
from relais.core import scheduling

AWARD_EVERY = timedelta(minutes=15)


def register() -> None:
    benefits.register(award_benefits)
    scheduling.register("challenges.rewards", every=AWARD_EVERY, job=award_job)
