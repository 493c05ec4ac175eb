"""A partner import outlives its worker: killed with SIGKILL in the middle of a file, the import
is queued again by the sweep (no one presses Retry), taken up by the next worker after its last
committed chunk, and every row is created once.

Real processes on a database of their own (an SQLite file, or a throwaway PostgreSQL database
when the suite runs on PostgreSQL): the test only writes the file and reads the tables."""

from __future__ import annotations

import pytest

from relais.partners.services.imports import BATCH
from relais.testing.processes import db_worker, kill, manage, query, wait_for, worker_environment

ROWS = 1200
SETUP = """
import django, sys; django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.scheduling import start_schedules
from relais.partners.services import imports
rows = int(sys.argv[1])
lines = ["Type;Forme juridique;Régime fiscal;Prénom;Nom;Courriel;Code postal"] + [
    f"Apporteur d'affaires;Particulier;bnc_non_pro;Léa;Martin {n};lea{n}@example.fr;69003"
    for n in range(rows)
]
upload = SimpleUploadedFile("partenaires.csv", "\\n".join(lines).encode())
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
        "partner_import",
        # A worker silent for 3 s is taken for dead; the sweep looks every 2 s.
        RELAIS_STALLED_AFTER_SECONDS="3",
        RELAIS_RESUME_SWEEP_SECONDS="2",
    ) as env:
        yield env


def worker(env, tmp_path):
    return db_worker(env, tmp_path / "worker.log")


def progress(env, batch_id):
    sql = "SELECT state, processed, created, invalid FROM partners_partnerimport WHERE id = %s"
    return query(env["DATABASE_URL"], sql, batch_id)[0]


def mid_file(env, batch_id):
    """True once the first chunk is committed and before the last; an import that ended (a bad
    row, a too fast worker) fails the test at once rather than at the timeout."""
    state, _processed, created, _invalid = progress(env, batch_id)
    assert state not in ("done", "failed"), progress(env, batch_id)
    return True if created >= BATCH else None


def test_a_partner_import_whose_worker_is_killed_ends_with_every_row_created_once(
    worker_env, tmp_path
):
    env = worker_env
    setup = SETUP.replace("sys.argv[1]", str(ROWS))
    batch_id = int(manage(env, "shell", "-c", setup).split()[-1])
    first = worker(env, tmp_path)
    try:
        # Past the first chunk, before the end: the worker dies in the middle of the file.
        wait_for(
            "the first chunk of partners",
            timeout=180,
            probe=lambda: mid_file(env, batch_id),
        )
    finally:
        kill(first)
    state, _processed, created_when_killed, _invalid = progress(env, batch_id)
    assert state == "running"
    assert created_when_killed < ROWS

    second = worker(env, tmp_path)
    try:
        # No one presses Retry: the sweep finds the import silent and queues it again.
        wait_for(
            "the import to end",
            timeout=180,
            every=0.5,
            probe=lambda: True if progress(env, batch_id)[0] in ("done", "failed") else None,
        )
    finally:
        kill(second)
    assert progress(env, batch_id) == ("done", ROWS, ROWS, 0)
    partners = query(
        env["DATABASE_URL"],
        "SELECT COUNT(*), COUNT(DISTINCT email) FROM partners_partner WHERE email LIKE 'lea%%'",
    )
    assert partners == [(ROWS, ROWS)]  # each row once: none lost, none twice
    audits = query(
        env["DATABASE_URL"],
        "SELECT COUNT(*) FROM core_auditentry WHERE action = 'imported'",
    )
    assert audits == [(1,)]  # and the import audited once, by the run that finished it
