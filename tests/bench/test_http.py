"""The benchmark's server: a page is timed only once every worker has served it."""

import json
import os

import pytest
from django.db import connection

from bench.http import Server
from relais.accounts.services import api_token_create
from relais.leads.models import Lead
from relais.testing.factories import PartnerFactory, partner_user


def _server(workers: int) -> Server:
    """The benchmark's server on this test's PostgreSQL database."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: its activity view shows each worker's own connection")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return Server({**env, "DATABASE_URL": url}, workers=workers)


def _workers_connected() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_warming_a_page_reaches_every_worker():
    server = _server(workers=5)
    try:
        server.warm("/healthz", {})
        workers_connected = _workers_connected()
    finally:
        server.stop()
    assert workers_connected == 5


@pytest.mark.django_db(transaction=True)  # the server's workers must see the token
def test_warming_a_write_sends_each_worker_its_own_body():
    server = _server(workers=3)
    _token, raw = api_token_create(
        user=partner_user(PartnerFactory()), name="warm", scopes=("read", "write")
    )
    lead = {"last_name": "Chaud", "postcode": "69003", "need": "PAC"}
    try:
        server.warm(
            "/api/v1/leads/bulk",
            {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
            rounds=2,
            method="POST",
            body=lambda n: json.dumps({"items": [dict(lead, email=f"w{n}@orange.fr")]}).encode(),
        )
        workers_connected = _workers_connected()
    finally:
        server.stop()
    assert workers_connected == 3
    emails = sorted(Lead.objects.values_list("email", flat=True))
    assert emails == [f"w{n}@orange.fr" for n in range(6)]
