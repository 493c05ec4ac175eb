"""The demo's challenges, in French: "Défi du printemps" (deals won, ranked by share of the
personal target, for the introducers of the three départements with the most of them), running
since two weeks with the progress of the deals won since then; and "Objectif chiffre
revendeurs" (revenue won, levels 100/120/150 %), a draft whose targets are proposed; and
"Défi de l'hiver" (deals won, the first 3), ended ten days ago: its winners, and the relaunch
its participation rule fired during it (the rule run over its weeks, as the worker would have).
The spring challenge has a banner and a qualitative objective with a proof awaiting validation.

Written through the services (targets proposed from the counters, lifecycle moves) and
idempotent: a second run finds the challenges by name and leaves them as they are."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from relais.accounts.models import User
from relais.challenges import communication, progress, proofs, services
from relais.challenges.choices import ChallengeMetric
from relais.challenges.models import Challenge
from relais.core.models import Departement
from relais.demo.network import DEMO_DOMAIN
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner

MANAGER = f"manager@{DEMO_DOMAIN}"
WINTER = "Défi de l'hiver"
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
    Challenge.objects.filter(
        name__in=[SPRING, RESELLERS, WINTER], participants__isnull=True
    ).delete()
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
            _dress(spring, manager)
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
    seed_winter(manager)


def _picture(size: tuple[int, int], colour: tuple[int, int, int]) -> ContentFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle((0, size[1] * 2 // 3, size[0], size[1]), fill=(255, 200, 60))
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="demo.png")


def _dress(spring: Challenge, manager: User | None) -> None:
    """The spring challenge's banner, and an objective one participant has sent a proof for."""
    spring.banner.save("printemps.png", _picture((1200, 300), (31, 95, 191)), save=True)
    objective = proofs.objective_add(
        challenge=spring,
        title="Vitrine aux couleurs du printemps",
        description="Une photo de votre vitrine ou de votre stand avec l'affiche du défi.",
        actor=manager,
    )
    first = spring.participants.order_by("pk").first()
    if first is not None:
        proofs.proof_upload(
            objective=objective,
            participant=first,
            upload=SimpleUploadedFile("vitrine.png", _picture((640, 480), (60, 140, 80)).read()),
            note="Affiche posée ce matin",
        )


def seed_winter(manager: User | None) -> None:
    """An ended challenge with its winners and the relaunch its rule fired while it ran."""
    if Challenge.objects.filter(name=WINTER).exists():
        return
    today = timezone.localdate()
    winter = Challenge.objects.create(
        name=WINTER,
        theme="L'hiver des apporteurs",
        story="Trois places sur le podium : les trois premiers au classement gagnent.",
        starts_on=today - timedelta(days=70),
        ends_on=today - timedelta(days=10),
        metric=ChallengeMetric.WON,
        mechanic="ranking",
        top_n=3,
        ranking="absolute",
        audience_kind=PartnerKind.INTRODUCER,
        relaunch_below=30,
        created_by=manager,
    )
    winter.audience_departements.set(
        Departement.objects.filter(pk__in=_top_departements(PartnerKind.INTRODUCER, 2))
    )
    if not services.participants_propose(challenge=winter, actor=manager):
        return
    winter = services.challenge_move(challenge=winter, to="scheduled", actor=manager)
    winter = services.challenge_move(challenge=winter, to="running", actor=manager)
    _backfill(winter)
    zone = timezone.get_current_timezone()
    for day in range(7, winter.days, 7):  # the worker's weekly look at the participation
        when = datetime.combine(winter.starts_on + timedelta(days=day), time(9), zone)
        communication.relaunch_check(challenge=winter, now=when)
    services.challenge_move(challenge=winter, to="ended", actor=manager)
