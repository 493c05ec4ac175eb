"""The benchmark's server: a page is timed only once every worker has served it."""

import os

import pytest
from django.db import connection

from bench.http import Server


@pytest.mark.django_db
def test_warming_a_page_reaches_every_worker():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: its activity view shows each worker's own connection")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    server = Server({**env, "DATABASE_URL": url}, workers=5)
    try:
        server.warm("/healthz", {})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()",
                [db["NAME"]],
            )
            workers_connected = cursor.fetchone()[0]
    finally:
        server.stop()
    assert workers_connected == 5
