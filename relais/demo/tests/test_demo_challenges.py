"""The demo's challenges as a manager finds them: one running with proposed targets and the
progress of the deals won since it started, one draft for the resellers; a second run adds
nothing."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from relais.challenges.models import Challenge, ChallengeCredit
from relais.challenges.results import challenge_winners
from relais.demo.challenges import RESELLERS, SPRING, WINTER, seed_challenges
from relais.leads.models import Lead
from relais.partners.models import Partner

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_running_challenge_with_progress_and_a_draft_one():
    call_command("seed_demo", "--size", "small", verbosity=0)
    spring = Challenge.objects.get(name=SPRING)
    assert spring.status == "running"
    participants = spring.participants.all()
    assert participants.count() > 10
    assert all(p.target >= 1 and p.formula for p in participants)
    won = Lead.objects.filter(
        partner_id__in=participants.values("partner_id"), won_at__date__gte=spring.starts_on
    ).count()
    assert won > 0
    assert participants.aggregate(s=Sum("progress"))["s"] == won
    resellers = Challenge.objects.get(name=RESELLERS)
    assert resellers.status == "draft"
    assert (
        resellers.participants.count()
        == Partner.objects.filter(kind="reseller", status="active").count()
    )
    credits = ChallengeCredit.objects.count()
    challenges = Challenge.objects.count()
    seed_challenges()
    assert Challenge.objects.count() == challenges
    assert ChallengeCredit.objects.count() == credits


def test_the_demo_shows_a_banner_a_proof_to_validate_winners_and_a_relaunch():
    call_command("seed_demo", "--size", "small", verbosity=0)
    spring = Challenge.objects.get(name=SPRING)
    assert spring.banner
    assert spring.objectives.get().proofs.get().status == "pending"
    winter = Challenge.objects.get(name=WINTER)
    assert winter.status == "ended"
    winners = challenge_winners(challenge=winter)
    assert 1 <= len(winners) <= 3
    assert winners[0].participant.progress > 0
    drop = winter.relaunches.order_by("number").first()
    assert drop is not None
    assert drop.share < drop.threshold
