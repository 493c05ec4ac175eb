"""The demo's rewards as a manager finds them: the ended winter challenge rewarded and awarded
(its cash bonus a payable line), the running spring one with a budget and a projected cost; a
second run, and a --flush, go through."""

import pytest
from django.core.management import call_command

from relais.challenges.models import Award, Challenge
from relais.challenges.rewards.selectors import rewards_projection
from relais.demo.challenge_rewards import seed_challenge_rewards
from relais.demo.challenges import SPRING, WINTER

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_ended_challenge_with_its_rewards_awarded():
    call_command("seed_demo", "--size", "small", verbosity=0)
    winter = Challenge.objects.get(name=WINTER)
    awards = list(winter.awards.order_by("rank", "pk"))
    assert awards
    assert any(a.kind == "cash" and a.line is not None for a in awards)
    assert rewards_projection(challenge=winter).awarded
    spring = Challenge.objects.get(name=SPRING)
    projection = rewards_projection(challenge=spring)
    assert projection.budget is not None
    assert projection.rows
    count = Award.objects.count()
    seed_challenge_rewards()
    assert Award.objects.count() == count
    call_command("seed_demo", "--size", "small", "--flush", verbosity=0)
    assert Challenge.objects.get(name=WINTER).awards.exists()
