import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_health_is_ok_when_database_and_queue_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["tasks"].startswith("ok")


def test_health_is_503_when_the_database_is_unreachable():
    # A real server process pointed at a PostgreSQL port where nothing listens.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "relais.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["status"] == "unavailable"
    assert outcome["body"]["checks"]["database"].startswith("error")


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_health_checks_the_redis_queue_when_tasks_run_on_rq(tmp_path):
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "relais.settings", "TASK_BACKEND": "rq"}
    base["RELAIS_DATA_DIR"] = str(tmp_path)
    base.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=base, check=True, timeout=120
    )
    outcomes = {}
    for name, url in (("up", "redis://127.0.0.1:6379/0"), ("down", "redis://127.0.0.1:1/0")):
        env = {**base, "REDIS_URL": url}
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60, check=True,
        )  # fmt: skip
        outcomes[name] = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcomes["up"]["status"] == 200
    assert "RQBackend" in outcomes["up"]["body"]["checks"]["tasks"]
    assert outcomes["down"]["status"] == 503
    assert outcomes["down"]["body"]["checks"]["tasks"].startswith("error")
