"""The demo's challenges, in French: "Défi du printemps" (deals won, ranked by share of the
personal target, for the introducers of the three départements with the most of them), running
since two weeks with the progress of the deals won since then; and "Objectif chiffre
revendeurs" (revenue won, levels 100/120/150 %), a draft whose targets are proposed.

Written through the services (targets proposed from the counters, lifecycle moves) and
idempotent: a second run finds the challenges by name and leaves them as they are."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from relais.accounts.models import User
from relais.challenges import progress, services
from relais.challenges.choices import ChallengeMetric
from relais.challenges.models import Challenge
from relais.core.models import Departement
from relais.demo.network import DEMO_DOMAIN
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner

MANAGER = f"manager@{DEMO_DOMAIN}"
SPRING = "Défi du printemps"
RESELLERS = "Objectif chiffre revendeurs"


def _top_departements(kind: str, n: int) -> list[str]:
    rows = (
        Partner.objects.filter(kind=kind, status=PartnerStatus.ACTIVE)
        .values("departement_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "departement_id")[:n]
    )
    return [r["departement_id"] for r in rows]


def _backfill(challenge: Challenge) -> int:
    """The deals won since the challenge started, credited as their events would have been
    (the demo's leads are written in bulk, past the events)."""
    partners = challenge.participants.values("partner_id")
    rows = Lead.objects.filter(
        partner_id__in=partners, won_at__date__gte=challenge.starts_on
    ).values_list("pk", "partner_id", "won_at", "won_amount")
    gains = [
        progress.Gain(pk, partner, at, ChallengeMetric.WON, Decimal(1))
        for pk, partner, at, _amount in rows
        if at is not None and partner is not None
    ]
    return progress.credit(gains)


def seed_challenges() -> None:
    manager = User.objects.filter(email=MANAGER).first()
    today = timezone.localdate()
    # A challenge whose participants went with a flushed network is made again.
    Challenge.objects.filter(name__in=[SPRING, RESELLERS], participants__isnull=True).delete()
    if not Challenge.objects.filter(name=SPRING).exists():
        spring = Challenge.objects.create(
            name=SPRING,
            theme="Le printemps des apporteurs",
            story="Chaque affaire signée compte : atteignez votre objectif personnel, "
            "calculé sur votre propre historique, et grimpez au classement.",
            starts_on=today - timedelta(days=14),
            ends_on=today + timedelta(days=31),
            teaser_on=today - timedelta(days=21),
            metric=ChallengeMetric.WON,
            mechanic="ranking",
            top_n=10,
            audience_kind=PartnerKind.INTRODUCER,
            created_by=manager,
        )
        spring.audience_departements.set(
            Departement.objects.filter(pk__in=_top_departements(PartnerKind.INTRODUCER, 3))
        )
        if services.participants_propose(challenge=spring, actor=manager):
            spring = services.challenge_move(challenge=spring, to="scheduled", actor=manager)
            spring = services.challenge_move(challenge=spring, to="running", actor=manager)
            _backfill(spring)
    if not Challenge.objects.filter(name=RESELLERS).exists():
        resellers = Challenge.objects.create(
            name=RESELLERS,
            theme="Trimestre des revendeurs",
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=120),
            teaser_on=today + timedelta(days=20),
            metric=ChallengeMetric.REVENUE,
            mechanic="levels",
            levels="100,120,150",
            audience_kind=PartnerKind.RESELLER,
            show_names=True,
            created_by=manager,
        )
        services.participants_propose(challenge=resellers, actor=manager)
