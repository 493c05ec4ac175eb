"""Issue 27's communication and results: how fast a challenge's e-mails go out, one row
committed before each mail (the once-per-participant-and-occasion design), and how long the
relaunch rule's look and the results page's figures take with the leaderboard's 50,000
participants.

The e-mails go to Django's in-memory backend (the mail server's own time is not ours): a
challenge of ``SENDERS`` of the bench's partners gets its launch e-mail, measured as messages a
second; its rows are deleted after, so each run sends again. ``python -m bench --only
challenge_comms`` runs it alone."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import override_settings
from django.utils import timezone

from bench.challenges import PARTICIPANTS, QUICK_PARTICIPANTS, _load
from bench.measure import percentile, result
from relais.challenges import communication
from relais.challenges.models import Challenge, ChallengeMessage, Participant
from relais.challenges.results import challenge_results
from relais.challenges.services import share_of
from relais.partners.models import Partner

NAME = "bench-challenge-comms"
SENDERS = 2_000
QUICK_SENDERS = 300
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _senders(total: int) -> Challenge:
    challenge = Challenge.objects.filter(name=NAME).first()
    if challenge and challenge.participants.count() == total:
        return challenge
    if challenge:
        challenge.delete()
    today = timezone.localdate()
    challenge = Challenge.objects.create(
        name=NAME,
        starts_on=today,
        ends_on=today + timedelta(days=30),
        metric="won",
        status="running",
        relaunch_below=0,
    )
    ids = Partner.objects.exclude(email="").order_by("pk").values_list("pk", flat=True)[:total]
    Participant.objects.bulk_create(
        Participant(
            challenge=challenge,
            partner_id=pk,
            pseudonym=f"Loutre {n}",
            target=Decimal(1),
            proposed_target=Decimal(1),
            share=share_of(progress=Decimal(0), target=Decimal(1)),
        )
        for n, pk in enumerate(ids)
    )
    return challenge


def _send_launch(challenge: Challenge) -> tuple[int, float]:
    ChallengeMessage.objects.filter(participant__challenge=challenge).delete()
    now = timezone.now()
    due = next(d for d in communication._due(challenge, now) if d.occasion == "launch")
    tally: Counter[str] = Counter()
    started = time.perf_counter()
    with override_settings(MAILERS=LOCMEM):
        communication._send(due, now, tally)
    return tally["sent"], time.perf_counter() - started


def _timed(fn: Any, times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def challenge_comms(fx: Any, *, quick: bool) -> list[dict[str, Any]]:
    senders = _senders(QUICK_SENDERS if quick else SENDERS)
    sent, seconds = _send_launch(senders)
    rate = sent / seconds if seconds else 0.0
    board = _load(QUICK_PARTICIPANTS if quick else PARTICIPANTS)
    times = 10 if quick else 30
    now = timezone.now()
    looks = _timed(lambda: communication.challenge_participation(challenge=board, now=now), times)
    figures = _timed(lambda: challenge_results(challenge=board), max(3, times // 5))
    look_p95, results_p95 = percentile(looks, 0.95) * 1000, percentile(figures, 0.95) * 1000
    n = board.participants.count()
    return [
        result(
            "challenge_emails_rate",
            value=rate,
            unit="e-mails/s",
            spread=(rate, rate),
            floor=None,
            ratio=None,
            target="≥ 50 e-mails/s (a 50,000-participant launch within 17 minutes)",
            met=rate >= 50,
            note=f"{sent} launch e-mails to the in-memory backend, each row INSERTed and "
            "committed before its mail, then marked sent",
        ),
        result(
            "challenge_relaunch_look",
            value=look_p95,
            unit="ms (p95)",
            spread=(min(looks) * 1000, max(looks) * 1000),
            floor=None,
            ratio=None,
            target="≤ 100 ms with 50,000 participants",
            met=look_p95 <= 100,
            note=f"{n} participants: the share who progressed in 7 days (two COUNTs)",
        ),
        result(
            "challenge_results_figures",
            value=results_p95,
            unit="ms (p95)",
            spread=(min(figures) * 1000, max(figures) * 1000),
            floor=None,
            ratio=None,
            target="≤ 1,000 ms with 50,000 participants",
            met=results_p95 <= 1000,
            note=f"{n} participants: winners, cost and the uplift's four aggregates",
        ),
    ]
