"""Issue 28's workload: NPS results from the counters with 200,000 answers, and the one-click
answer endpoint.

The answers are loaded once (customers, surveys and answers in bulk, spread over 24 months,
the resellers of the network and 40 salespeople; then ``counters_rebuild``, which a test holds
equal to the counters each click moves). Then:

- NPS by month and NPS by reseller (``surveys.selectors``, what the results page and the API
  call), each against its floor, one hand-written SQL statement over the counter table;
- the one-click endpoint (``/s/a/<token>/<score>/``: token checked, the survey's row locked,
  the answer and its five counters written, the thank-you page rendered) through Django's
  handler in this process, half first answers and half changed scores; against the floor of
  ``/ping`` through the same handler.

``python -m bench --only surveys`` runs it alone (on each engine's bench database)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.measure import interleaved, percentile, result
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.models import Departement
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.surveys import selectors, tokens
from relais.surveys.answers import counters_rebuild
from relais.surveys.choices import CustomerSource, SendState
from relais.surveys.models import ALL_TIME, Answer, Customer, NpsCounter, SurveyRequest

ANSWERS, QUICK_ANSWERS = 200_000, 20_000
CHUNK = 5000
WEIGHTS = [2, 1, 1, 2, 3, 4, 7, 10, 20, 25, 25]
OCCASION = "bench:"


def _sellers() -> tuple[list[int], list[int]]:
    resellers = list(
        Partner.objects.filter(kind=PartnerKind.RESELLER).values_list("pk", flat=True)[:5000]
    )
    if not resellers:  # a bare database (``python -m bench.surveys``): make a few hundred
        from relais.testing.factories import PartnerFactory

        resellers = [PartnerFactory.create(reseller=True).pk for _ in range(300)]
    people = []
    for n in range(40):
        user, _ = User.objects.get_or_create(
            email=f"bench-vendeur{n}@relais.demo", defaults={"role": Role.SALESPERSON}
        )
        people.append(user.pk)
    return resellers, people


def _load(total: int) -> None:
    """Customers, sent surveys and answers in bulk, then the counters from them."""
    have = Answer.objects.filter(request__occasion__startswith=OCCASION).count()
    if have >= total:
        if not NpsCounter.objects.filter(month=ALL_TIME).exists():
            counters_rebuild()  # loaded before the all-time rows existed
        return
    rng = random.Random(28)
    resellers, people = _sellers()
    codes = list(Departement.objects.values_list("code", flat=True))
    now = timezone.now()
    for start in range(have, total, CHUNK):
        size = min(CHUNK, total - start)
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                [_customer(rng, start + i, resellers, people, codes) for i in range(size)]
            )
            at = [now - timedelta(days=rng.randint(0, 729)) for _ in customers]
            surveys = SurveyRequest.objects.bulk_create(
                [
                    SurveyRequest(
                        customer=c,
                        occasion=f"{OCCASION}{c.pk}",
                        created_at=t,
                        state=SendState.SENT,
                        sent_at=t,
                    )
                    for c, t in zip(customers, at, strict=True)
                ]
            )
            Answer.objects.bulk_create(
                [_answer(rng, s, t) for s, t in zip(surveys, at, strict=True)]
            )
    counters_rebuild()


def _customer(
    rng: random.Random, n: int, resellers: list[int], people: list[int], codes: list[str]
) -> Customer:
    by_reseller = rng.random() < 0.7
    return Customer(
        first_name="Client",
        last_name=f"Bench {n}",
        email=f"bench-client{n}@example.fr",
        departement_id=rng.choice(codes),
        reseller_id=rng.choice(resellers) if by_reseller else None,
        salesperson_id=None if by_reseller else rng.choice(people),
        source=CustomerSource.IMPORT,
        last_surveyed_at=timezone.now(),
    )


def _answer(rng: random.Random, survey: SurveyRequest, at: Any) -> Answer:
    c = survey.customer
    return Answer(
        request=survey,
        customer=c,
        score=rng.choices(range(11), weights=WEIGHTS)[0],
        answered_at=at,
        month=timezone.localtime(at).date().replace(day=1),
        product_id_copy=c.product_id,
        departement_code=c.departement_id or "",
        reseller_id_copy=c.reseller_id,
        salesperson_id_copy=c.salesperson_id,
    )


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        cursor.fetchall()


MONTH_FLOOR = (
    "SELECT month, promoters, passives, detractors FROM surveys_npscounter "
    "WHERE dimension = 'all' AND month > '0001-01-01' ORDER BY month"
)
RESELLER_FLOOR = (
    "SELECT key, promoters, passives, detractors FROM surveys_npscounter "
    "WHERE dimension = 'reseller' AND month = '0001-01-01'"
)


def _results_rows(times: int) -> list[dict[str, Any]]:
    rows = []
    calls: list[tuple[str, Callable[[], Any], str]] = [
        ("nps_by_month", selectors.nps_by_month, MONTH_FLOOR),
        ("nps_by_reseller", lambda: selectors.nps_by("reseller"), RESELLER_FLOOR),
    ]
    for name, call, floor in calls:
        ours, floors = interleaved(call, partial(_sql, floor), times)
        p95, floor_p95 = percentile(ours, 0.95) * 1000, percentile(floors, 0.95) * 1000
        rows.append(
            result(
                name,
                value=p95,
                unit="ms (p95)",
                spread=(min(ours) * 1000, max(ours) * 1000),
                floor=floor_p95,
                ratio=p95 / floor_p95 if floor_p95 else None,
                target="≤ 50 ms from counters",
                met=p95 <= 50,
                note=f"{Answer.objects.count()} answers; the selector with its labels "
                "(resellers' names) against one SQL statement over the counters",
            )
        )
    return rows


def _one_click_rows(clicks: int) -> list[dict[str, Any]]:
    client = Client()
    fresh = list(
        SurveyRequest.objects.filter(
            answer__isnull=True, occasion__startswith="bench-click:"
        ).values_list("pk", flat=True)[:clicks]
    )
    fresh += _new_surveys(clicks - len(fresh))
    answered = list(
        SurveyRequest.objects.filter(occasion__startswith=OCCASION).values_list("pk", flat=True)[
            :clicks
        ]
    )
    paths = [f"/s/a/{tokens.answer_token(pk)}/{n % 11}/" for n, pk in enumerate(fresh + answered)]
    random.Random(5).shuffle(paths)
    ours, floors = [], []
    client.get("/ping")
    for n, path in enumerate(paths):
        # Each customer clicks from their own phone: the rate limit per address (counted in
        # the figure) never refuses one.
        address = f"2001:db8::{n:x}"  # a documentation address, never contacted
        started = time.perf_counter()
        response = client.get(path, REMOTE_ADDR=address)
        ours.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        client.get("/ping")
        floors.append(time.perf_counter() - started)
    p95, floor = percentile(ours, 0.95) * 1000, percentile(floors, 0.95) * 1000
    return [
        result(
            "nps_one_click",
            value=p95,
            unit="ms (p95)",
            spread=(min(ours) * 1000, max(ours) * 1000),
            floor=floor,
            ratio=p95 / floor if floor else None,
            target="≤ 50 ms",
            met=p95 <= 50,
            note=f"{len(paths)} clicks (half first answers, half changed scores) through "
            "Django's handler in-process; floor /ping the same way",
            median_ms=round(percentile(ours, 0.5) * 1000, 2),
        )
    ]


def _new_surveys(count: int) -> list[int]:
    if count <= 0:
        return []
    customers = list(Customer.objects.filter(last_name__startswith="Bench ")[:count])
    made = SurveyRequest.objects.bulk_create(
        [
            SurveyRequest(
                customer=c,
                occasion=f"bench-click:{c.pk}:{time.time_ns()}",
                created_at=timezone.now(),
                state=SendState.SENT,
                sent_at=timezone.now(),
            )
            for c in customers
        ]
    )
    return [s.pk for s in made]


def surveys(fx: Any, *, quick: bool) -> list[dict[str, Any]]:
    started = time.perf_counter()
    _load(QUICK_ANSWERS if quick else ANSWERS)
    loaded = time.perf_counter() - started
    rows = _results_rows(10 if quick else 40)
    rows += _one_click_rows(100 if quick else 300)
    rows[0]["load_seconds"] = round(loaded, 1)
    return rows
