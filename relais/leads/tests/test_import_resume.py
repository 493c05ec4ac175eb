"""A lead import outlives its worker: killed with SIGKILL in the middle of a file, the import is
taken up by the next worker after its last committed thousand, and every row is created once.

Real processes on a database of their own (an SQLite file, or a throwaway PostgreSQL database
when the suite runs on PostgreSQL): the test only writes the file and reads the tables."""

from __future__ import annotations

import pytest

from relais.testing.processes import db_worker, kill, manage, query, wait_for, worker_environment

ROWS = 8000
SETUP = """
import django, sys; django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.scheduling import start_schedules
from relais.leads import imports
rows = int(sys.argv[1])
lines = ["Nom;Courriel;Code postal"] + [f"Client {n};client{n}@orange.fr;69003" for n in range(rows)]
upload = SimpleUploadedFile("big.csv", "\\n".join(lines).encode())
manager = User.objects.create_user("import@relais.test", role=Role.MANAGER)
batch = imports.import_upload(upload=upload, actor=manager)
imports.import_queue(batch=batch, mapping=batch.mapping, mode="valid_only", dry_run=False)
start_schedules()
print(batch.pk)
"""


@pytest.fixture
def worker_env(tmp_path):
    with worker_environment(
        tmp_path,
        "resume",
        # A worker silent for 3 s is taken for dead; the sweep looks every 2 s.
        RELAIS_STALLED_AFTER_SECONDS="3",
        RELAIS_RESUME_SWEEP_SECONDS="2",
    ) as env:
        yield env


def worker(env, tmp_path):
    return db_worker(env, tmp_path / "worker.log")


def progress(env, batch_id):
    sql = "SELECT state, processed, created FROM leads_leadimport WHERE id = %s"
    return query(env["DATABASE_URL"], sql, batch_id)[0]


def test_an_import_whose_worker_is_killed_ends_with_every_row_created_once(worker_env, tmp_path):
    env = worker_env
    batch_id = int(manage(env, "shell", "-c", SETUP.replace("sys.argv[1]", str(ROWS))).split()[-1])
    first = worker(env, tmp_path)
    try:
        # Past the first thousand, before the end: the worker dies in the middle of the file.
        wait_for(
            "the first thousand rows",
            timeout=120,
            probe=lambda: True if 1000 <= progress(env, batch_id)[2] < ROWS else None,
        )
    finally:
        kill(first)
    state, _processed, created_when_killed = progress(env, batch_id)
    assert state == "running"
    assert created_when_killed < ROWS

    second = worker(env, tmp_path)
    try:
        wait_for(
            "the import to end",
            timeout=120,
            every=0.5,
            probe=lambda: True if progress(env, batch_id)[0] in ("done", "failed") else None,
        )
    finally:
        kill(second)
    assert progress(env, batch_id) == ("done", ROWS, ROWS)
    leads = query(
        env["DATABASE_URL"],
        "SELECT COUNT(*), COUNT(DISTINCT last_name) FROM leads_lead WHERE channel = 'import'",
    )
    assert leads == [(ROWS, ROWS)]  # each row once: none lost, none twice
