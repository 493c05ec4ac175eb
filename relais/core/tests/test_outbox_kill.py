"""A worker killed after a handler did its work and before it recorded so: the next worker
delivers the event once more, and the handler's idempotency holds (one commission line).

Real processes on a database of their own (see relais/testing/processes.py)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from relais.testing.processes import ROOT, manage, query, worker_environment

SETUP = """
import django; django.setup()
from decimal import Decimal
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.commissions.tests.conftest import active_plan
from relais.leads.services import lead_submit, lead_transition
from relais.testing.factories import PartnerFactory
manager = User.objects.create_user("outbox@relais.test", role=Role.MANAGER)
active_plan(manager, {"trigger": "qualified", "formula": "fixed", "amount": Decimal(30)})
lead = lead_submit(
    data={"last_name": "Garnier", "phone": "0622000001", "postcode": "69003"},
    channel="portal", partner=PartnerFactory(),
)
lead_transition(lead=lead, to="qualified", actor=manager)
print(lead.pk)
"""

# The worker dies by SIGKILL at the one moment that matters: the commission handler's
# transaction has committed, its ack has not been written.
DYING_WORKER = """
import os, signal, django; django.setup()
from relais.core import outbox
ack = outbox._ack
def die_before_the_commission_ack(delivery):
    if delivery.handler == "relais.commissions.handlers.on_lead_qualified":
        os.kill(os.getpid(), signal.SIGKILL)
    ack(delivery)
outbox._ack = die_before_the_commission_ack
outbox.deliver_all()
"""

# The accrual's delivery (the lines it makes publish an event of their own, which the
# commission months' handler takes: a delivery of another row).
DELIVERY = "SELECT attempts, done_at IS NOT NULL FROM core_eventdelivery WHERE handler = %s"
ACCRUAL = "relais.commissions.handlers.on_lead_qualified"


@pytest.fixture
def worker_env(tmp_path):
    with worker_environment(
        tmp_path,
        "outbox",
        RELAIS_STALLED_AFTER_SECONDS="2",  # a claim lapses after 2 s
    ) as env:
        yield env


def lines(env):
    return query(env["DATABASE_URL"], "SELECT COUNT(*) FROM commissions_commissionline")[0][0]


def test_a_worker_killed_before_its_ack_delivers_again_and_accrues_once(worker_env):
    env = worker_env
    manage(env, "shell", "-c", SETUP)
    died = subprocess.run(
        [sys.executable, "-c", DYING_WORKER], cwd=ROOT, env=env, capture_output=True, timeout=180
    )
    assert died.returncode == -9, died.stderr.decode()[-2000:]
    assert lines(env) == 1  # the handler's work committed
    assert query(env["DATABASE_URL"], DELIVERY, ACCRUAL) == [(1, False)]

    time.sleep(2.5)  # the dead worker's claim lapses
    manage(env, "start_schedules")  # arms the outbox sweep, which the next worker runs
    manage(env, "db_worker", "--batch", "--no-startup-delay")

    assert query(env["DATABASE_URL"], DELIVERY, ACCRUAL) == [(2, True)]
    assert lines(env) == 1  # delivered twice, accrued once
    undelivered = "SELECT COUNT(*) FROM core_outboxevent WHERE delivered_at IS NULL"
    assert query(env["DATABASE_URL"], undelivered) == [(0,)]
