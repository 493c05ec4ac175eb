import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relais.testing.services import redis_reachable

ROOT = Path(__file__).resolve().parents[3]
HEALTHZ_SCRIPT = (
    "import django, json; django.setup();"
    "from django.test import Client;"
    "r = Client().get('/healthz');"
    "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
)


def healthz_in_a_process(**env: str) -> dict:
    """GET /healthz in a fresh process configured by ``env``: real connections, no mocks."""
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relais.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", HEALTHZ_SCRIPT],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_health_is_ok_when_database_and_queue_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["tasks"].startswith("ok")


def test_health_is_503_when_the_database_is_unreachable():
    # A PostgreSQL port where nothing listens.
    outcome = healthz_in_a_process(DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert outcome["status"] == 503
    assert outcome["body"]["status"] == "unavailable"
    assert outcome["body"]["checks"]["database"].startswith("error")


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_health_checks_the_redis_queue_when_tasks_run_on_rq(tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'health.sqlite3'}"
    env = {"TASK_BACKEND": "rq", "DATABASE_URL": sqlite}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        check=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "relais.settings", **env},
    )
    up = healthz_in_a_process(**env, REDIS_URL="redis://127.0.0.1:6379/0")
    down = healthz_in_a_process(**env, REDIS_URL="redis://127.0.0.1:1/0")
    assert up["status"] == 200
    assert "RQBackend" in up["body"]["checks"]["tasks"]
    assert down["status"] == 503
    assert down["body"]["checks"]["tasks"].startswith("error")
