"""Issue 29's workload: the salespeople's network with 200 salespeople, 100,000 contacts and
300,000 relationships (10,000 accounts of 10 people; 1,500 relationships per salesperson, a
third each private, on request and shared; last interactions spread over three years, so some
fade).

The rows are loaded once in bulk (``BENCH_PREFIX``, kept between runs). Then, for salespeople
in turn, "who knows someone at X" by a company's name (the page ``/network/?q=``, through
Django's handler in this process, rendered) and an account's page with its relationship map
(``/network/accounts/<pk>/``: people, the relationships the viewer may see, the SVG graph),
each against the floor of ``/ping`` through the same handler; and the two selectors alone.

``python -m bench --only network`` runs it alone (on each engine's bench database)."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

from bench.measure import interleaved, percentile, result
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.models import Departement
from relais.network import selectors
from relais.network.models import Account, Contact, Relationship

BENCH_PREFIX = "bench-network"
SALESPEOPLE, ACCOUNTS, PER_ACCOUNT, PER_SELLER = 200, 10_000, 10, 1_500
QUICK = (50, 1_000, 10, 600)
CHUNK = 5_000
SECTORS = ("Chimie", "BTP", "Banque", "Santé", "Industrie", "Distribution", "Transport", "Énergie")
VISIBILITIES = ("private", "on_request", "shared")
CONTEXTS = ("former_colleague", "school", "customer", "event", "family", "friend", "other")


def _sellers(count: int) -> list[User]:
    have = list(User.objects.filter(email__startswith=BENCH_PREFIX).order_by("pk"))
    if len(have) < count:
        User.objects.bulk_create(
            [
                User(
                    email=f"{BENCH_PREFIX}-{n}@example.fr",
                    role=Role.SALESPERSON,
                    first_name="Vendeur",
                    last_name=f"Banc {n}",
                )
                for n in range(len(have), count)
            ]
        )
        have = list(User.objects.filter(email__startswith=BENCH_PREFIX).order_by("pk"))
    return have[:count]


def _load(sellers: int, accounts: int, per_account: int, per_seller: int) -> list[User]:
    users = _sellers(sellers)
    if Account.objects.filter(name_key__startswith="banc ").count() >= accounts:
        return users
    rng = random.Random(29)
    depts: list[str | None] = [*Departement.objects.values_list("code", flat=True)] or [None]
    for start in range(0, accounts, CHUNK):
        with transaction.atomic():
            made = Account.objects.bulk_create(
                [
                    Account(
                        name=f"Banc {n:05d} Industrie",
                        name_key=f"banc {n:05d} industrie",
                        sector=(sector := SECTORS[n % len(SECTORS)]),
                        sector_key=sector.lower().replace("é", "e"),
                        departement_id=depts[n % len(depts)],
                    )
                    for n in range(start, min(accounts, start + CHUNK))
                ]
            )
            now = timezone.now()
            Contact.objects.bulk_create(
                [
                    Contact(
                        account=a,
                        first_name=f"Prénom{i}",
                        last_name=f"Personne{a.pk}x{i}",
                        name_key=f"prenom{i} personne{a.pk}x{i}",
                        title=("DG", "DAF", "DSI", "Acheteur", "DRH")[i % 5],
                        level=("executive", "director", "manager", "staff", "")[i % 5],
                        last_activity_at=now,
                    )
                    for a in made
                    for i in range(per_account)
                ],
                batch_size=CHUNK,
            )
    contacts = list(
        Contact.objects.filter(account__name_key__startswith="banc ").values_list(
            "pk", "account_id"
        )
    )
    today = timezone.localdate()
    rows: list[Relationship] = []
    for user in users:
        for pk, account_id in rng.sample(contacts, min(per_seller, len(contacts))):
            rows.append(
                Relationship(
                    owner_id=user.pk,
                    contact_id=pk,
                    account_id=account_id,
                    strength=rng.randint(1, 5),
                    context=rng.choice(CONTEXTS),
                    visibility=rng.choice(VISIBILITIES),
                    last_interaction=today - timedelta(days=rng.randint(0, 3 * 365)),
                )
            )
            if len(rows) >= CHUNK:
                Relationship.objects.bulk_create(rows, ignore_conflicts=True)
                rows = []
    Relationship.objects.bulk_create(rows, ignore_conflicts=True)
    return users


def network(fx: Any, *, quick: bool) -> list[dict[str, Any]]:
    started = time.perf_counter()
    sizes = QUICK if quick else (SALESPEOPLE, ACCOUNTS, PER_ACCOUNT, PER_SELLER)
    users = _load(*sizes)
    loaded = time.perf_counter() - started
    times = 20 if quick else 100
    rng = random.Random(290)
    clients = []
    for user in users[:10]:
        client = Client()
        client.force_login(user)
        clients.append(client)
    account_ids = list(
        Account.objects.filter(name_key__startswith="banc ").values_list("pk", flat=True)
    )
    names = dict(Account.objects.filter(pk__in=account_ids[:2000]).values_list("pk", "name"))
    turn = iter(range(10**9))

    def search_page() -> None:
        n = next(turn)
        pk = rng.choice(list(names))
        response = clients[n % len(clients)].get("/network/", {"q": names[pk]})
        assert response.status_code == 200, response.status_code

    def map_page() -> None:
        n = next(turn)
        response = clients[n % len(clients)].get(f"/network/accounts/{rng.choice(account_ids)}/")
        assert response.status_code == 200, response.status_code

    floor = clients[0]
    search, search_floor = interleaved(search_page, lambda: floor.get("/ping"), times)
    maps, map_floor = interleaved(map_page, lambda: floor.get("/ping"), times)
    viewer = users[0]
    sel, _f = interleaved(
        lambda: selectors.who_knows(user=viewer, text=names[rng.choice(list(names))]),
        lambda: None,
        times,
    )

    def one_map() -> None:
        account = Account.objects.get(pk=rng.choice(account_ids))
        selectors.account_map(user=viewer, account=account)

    sel_map, _f = interleaved(one_map, lambda: None, times)
    s95, sf95 = percentile(search, 0.95) * 1000, percentile(search_floor, 0.95) * 1000
    m95, mf95 = percentile(maps, 0.95) * 1000, percentile(map_floor, 0.95) * 1000
    counts = (
        f"{User.objects.filter(email__startswith=BENCH_PREFIX).count()} salespeople, "
        f"{Contact.objects.count()} contacts, {Relationship.objects.count()} relationships"
    )
    return [
        result(
            "page_network_who_knows",
            value=s95,
            unit="ms (p95)",
            spread=(min(search) * 1000, max(search) * 1000),
            floor=sf95,
            ratio=s95 / sf95 if sf95 else None,
            target="≤ 50 ms",
            met=s95 <= 50,
            note=f"{counts}; /network/?q=<a company's name> as salespeople in turn, rendered",
            load_seconds=round(loaded, 1),
        ),
        result(
            "page_network_account_map",
            value=m95,
            unit="ms (p95)",
            spread=(min(maps) * 1000, max(maps) * 1000),
            floor=mf95,
            ratio=m95 / mf95 if mf95 else None,
            target="≤ 100 ms",
            met=m95 <= 100,
            note="an account's page: its people, the visible relationships, the SVG graph",
        ),
        result(
            "network_who_knows_selector",
            value=percentile(sel, 0.95) * 1000,
            unit="ms (p95)",
            spread=(min(sel) * 1000, max(sel) * 1000),
            floor=None,
            ratio=None,
            target="part of the page's 50 ms",
            met=None,
            note="selectors.who_knows by a company's name, the visibility filter included",
        ),
        result(
            "network_account_map_selector",
            value=percentile(sel_map, 0.95) * 1000,
            unit="ms (p95)",
            spread=(min(sel_map) * 1000, max(sel_map) * 1000),
            floor=None,
            ratio=None,
            target="part of the page's 100 ms",
            met=None,
            note="selectors.account_map for a random account",
        ),
    ]
