"""Issue 27's workload: a challenge's leaderboard with 50,000 participants.

The participants are loaded once (``BENCH_NAME``, kept between runs): the network's partners,
then bench-only introducers in bulk until there are 50,000, each with a random target and
progress (the share stored, as the events leave it). Then the partner's challenge page
(``/portal/challenges/<pk>/``: the board's top, the viewer's rank, a COUNT on the board's
index, the page rendered) through Django's handler in this process, for participants spread
over the board; against the floor of ``/ping`` through the same handler. And the managers'
leaderboard selector alone.

``python -m bench --only challenges`` runs it alone (on each engine's bench database)."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

from bench.measure import interleaved, percentile, result
from relais.challenges import selectors
from relais.challenges.models import Challenge, Participant
from relais.challenges.rewards.selectors import rewards_projection
from relais.challenges.services import share_of
from relais.core.models import Departement
from relais.partners.choices import LegalForm, PartnerKind, PartnerStatus, TaxRegime
from relais.partners.models import Partner
from relais.testing.factories import partner_user

BENCH_NAME = "bench-challenge"
PARTICIPANTS = 50_000
QUICK_PARTICIPANTS = 5_000
CHUNK = 5_000


def _partners(total: int) -> list[int]:
    """``total`` partner ids: the network's, then bench introducers made in bulk."""
    ids = list(Partner.objects.order_by("pk").values_list("pk", flat=True)[:total])
    dept = Departement.objects.order_by("code").first()
    made = Partner.objects.filter(referral_code__startswith="bch").count()
    while len(ids) < total:
        size = min(CHUNK, total - len(ids))
        rows = Partner.objects.bulk_create(
            [
                Partner(
                    kind=PartnerKind.INTRODUCER,
                    legal_form=LegalForm.INDIVIDUAL,
                    status=PartnerStatus.ACTIVE,
                    tax_regime=TaxRegime.NON_PROFESSIONAL,
                    last_name=f"Banc {made + i}",
                    email=f"bench-challenge-{made + i}@example.fr",
                    postcode="69003",
                    departement=dept,
                    referral_code=f"bch{made + i:07d}",
                )
                for i in range(size)
            ]
        )
        made += size
        ids += [p.pk for p in rows]
    return ids


def _load(total: int) -> Challenge:
    challenge = Challenge.objects.filter(name=BENCH_NAME).first()
    if challenge and challenge.participants.count() >= total:
        return challenge
    if challenge:
        challenge.delete()
    today = timezone.localdate()
    challenge = Challenge.objects.create(
        name=BENCH_NAME,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=20),
        metric="won",
        mechanic="ranking",
        top_n=10,
        status="running",
    )
    rng = random.Random(27)
    ids = _partners(total)
    for start in range(0, total, CHUNK):
        rows = []
        for n, pk in enumerate(ids[start : start + CHUNK], start):
            target = Decimal(rng.randint(1, 20))
            progress = Decimal(rng.randint(0, 25))
            rows.append(
                Participant(
                    challenge=challenge,
                    partner_id=pk,
                    pseudonym=f"Lynx {n + 1}",
                    target=target,
                    proposed_target=target,
                    progress=progress,
                    share=share_of(progress=progress, target=target),
                )
            )
        with transaction.atomic():
            Participant.objects.bulk_create(rows)
    return challenge


def _viewers(challenge: Challenge, count: int) -> list[Client]:
    """Logged-in clients of participants spread over the board (top, middle, bottom)."""
    total = challenge.participants.count()
    step = max(1, total // count)
    everyone = list(challenge.participants.order_by("pk").values_list("partner_id", flat=True))
    partners = everyone[::step][:count]
    clients = []
    for partner in Partner.objects.filter(pk__in=partners):
        member = partner.members.select_related("user").first()
        user = member.user if member else partner_user(partner)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def challenges(fx: Any, *, quick: bool) -> list[dict[str, Any]]:
    started = time.perf_counter()
    total = QUICK_PARTICIPANTS if quick else PARTICIPANTS
    challenge = _load(total)
    loaded = time.perf_counter() - started
    times = 20 if quick else 100
    viewers = _viewers(challenge, 10)
    path = f"/portal/challenges/{challenge.pk}/"
    turn = iter(range(10**9))

    def page() -> None:
        response = viewers[next(turn) % len(viewers)].get(path)
        assert response.status_code == 200, response.status_code

    floor_client = viewers[0]
    ours, floors = interleaved(page, lambda: floor_client.get("/ping"), times)
    p95, floor_p95 = percentile(ours, 0.95) * 1000, percentile(floors, 0.95) * 1000
    board, board_floor = interleaved(
        lambda: selectors.leaderboard(challenge), lambda: floor_client.get("/ping"), times
    )
    board_p95 = percentile(board, 0.95) * 1000
    if not challenge.rewards.exists():  # a cash bonus for the first, a voucher for each of 10
        challenge.rewards.create(kind="cash", amount=Decimal(500), place=1)
        challenge.rewards.create(kind="voucher", amount=Decimal(150))
    costs, costs_floor = interleaved(
        lambda: rewards_projection(challenge=challenge), lambda: floor_client.get("/ping"), times
    )
    cost_p95 = percentile(costs, 0.95) * 1000
    rows = [
        result(
            "page_challenge_leaderboard",
            value=p95,
            unit="ms (p95)",
            spread=(min(ours) * 1000, max(ours) * 1000),
            floor=floor_p95,
            ratio=p95 / floor_p95 if floor_p95 else None,
            target="≤ 50 ms with 50,000 participants",
            met=p95 <= 50,
            note=f"{challenge.participants.count()} participants; the partner's challenge page "
            "(top 10, own rank, rendered) for viewers spread over the board; floor /ping",
            load_seconds=round(loaded, 1),
        ),
        result(
            "challenge_leaderboard_selector",
            value=board_p95,
            unit="ms (p95)",
            spread=(min(board) * 1000, max(board) * 1000),
            floor=percentile(board_floor, 0.95) * 1000,
            ratio=None,
            target="part of the page's 50 ms",
            met=None,
            note="the managers' board (names): the top 10 and the total from the stored progress",
        ),
        result(
            "challenge_rewards_projection",
            value=cost_p95,
            unit="ms (p95)",
            spread=(min(costs) * 1000, max(costs) * 1000),
            floor=percentile(costs_floor, 0.95) * 1000,
            ratio=None,
            target="≤ 20 ms with 50,000 participants",
            met=cost_p95 <= 20,
            note="the rewards card of the challenge's page: each reward's winners projected from "
            "the stored shares (a COUNT per reward) and the budget",
        ),
    ]
    return rows
