"""PostgreSQL binds the values itself and prepares a statement a connection runs again; a
connection, SQLite's too, serves request after request."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from relais.core.models import Departement

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no prepared statements to see")
    names = [
        Departement.objects.filter(code=code).values_list("name", flat=True).first()
        for code in ("69", "75", "13", "33", "59", "44", "31")
    ]
    assert names[:2] == ["Rhône", "Paris"]  # each call answers for its own value
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%core_departement%"],
        )
        prepared = [statement for (statement,) in cursor.fetchall()]
    # One statement for seven values: the value is a parameter, not a literal in the text.
    assert len(prepared) == 1
    assert "$1" in prepared[0]
    assert "'75'" not in prepared[0]


def _python(script: str, **env: str) -> str:
    """What ``script`` prints in a new process, with these settings and no database of ours."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DB_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{script}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "relais.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def _options(**env: str) -> str:
    return _python(
        "from django.conf import settings\nprint(settings.DATABASES['default']['OPTIONS'])", **env
    )


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler():
    url = "postgres://relais@db.example:5432/relais?sslmode=require"
    assert "'prepare_threshold': 5" in _options(DATABASE_URL=url)
    off = _options(DATABASE_URL=url, DB_PREPARE_THRESHOLD="off")
    assert "'prepare_threshold': None" in off
    assert "'sslmode': 'require'" in off
    assert "'server_side_binding': True" in off


CYCLES = """
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.backends.signals import connection_created
opened = []
connection_created.connect(lambda **kwargs: opened.append(1))
for _ in range(3):  # what Django's handler does around each request
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    request_finished.send(sender=None)
print(connection.vendor, len(opened))
"""


@pytest.mark.parametrize(("max_age", "opened"), [(None, 1), ("0", 3)])
def test_a_sqlite_connection_serves_request_after_request(tmp_path, max_age, opened):
    """A new SQLite connection reads the schema again: three requests, one connection."""
    env = {"RELAIS_DATA_DIR": str(tmp_path)}
    if max_age is not None:
        env["DB_CONN_MAX_AGE"] = max_age
    assert _python(CYCLES, **env).split() == ["sqlite", str(opened)]
