"""An automation outlives a killed sweep: SIGKILLed while the mail server is answering one
partner's welcome, the sweep run again sends the others; nobody gets a second copy, and the one
message the dead process was handing over is reported failed ("interrupted"), not resent.

Real processes on a database of their own (an SQLite file, or a throwaway PostgreSQL database
when the suite runs on PostgreSQL), sending through Django's SMTP backend to a real SMTP server
in this process (``relais.testing.smtp``), which holds its answer to one message so that the
sweep dies at the moment a doubled e-mail would come from."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from relais.engagement.automations import INTERRUPTED
from relais.testing.processes import kill, mailing_environment, manage, query, start, wait_for
from relais.testing.smtp import smtp_server

PARTNERS = 30
HELD = 12  # the mail server holds its answer to the 12th message; the sweep dies meanwhile
SETUP = """
from datetime import timedelta
from django.utils import timezone
from relais.engagement.automations import automation_save
from relais.engagement.models import Automation, MessageTemplate
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory
now = timezone.now()
partners = [PartnerFactory() for _ in range(PARTNERS)]
Partner.objects.update(created_at=now - timedelta(days=2))
template = MessageTemplate.objects.create(
    name="Bienvenue", subject_fr="Bienvenue {{ first_name }}", body_fr="Bonjour {{ first_name }}"
)
data = {"name": "J+1", "trigger": "joined", "days": 1, "template": template}
auto = automation_save(automation=None, data=data, actor=None)
Automation.objects.filter(pk=auto.pk).update(created_at=now - timedelta(days=10))
print(auto.pk)
"""
SWEEP = "from relais.engagement.automations import automations_run; print(automations_run())"


@pytest.fixture
def mail_server():
    with smtp_server(hold=HELD) as server:
        yield server


@pytest.fixture
def env(tmp_path, mail_server):
    port, _mailbox = mail_server
    with mailing_environment(
        tmp_path,
        "automation",
        port,
    ) as env:
        yield env


def rows(env, pk):
    sql = (
        "SELECT partner_id, state, failure FROM engagement_automationsend WHERE automation_id = %s"
    )
    return query(env["DATABASE_URL"], sql, pk)


def test_a_sweep_killed_mid_send_sends_nobody_a_second_copy(env, mail_server, tmp_path):
    _port, mailbox = mail_server
    script = SETUP.replace("PARTNERS", str(PARTNERS))
    auto = int(manage(env, "shell", "-v0", "-c", script).splitlines()[-1])
    sweep = [sys.executable, "manage.py", "shell", "-v0", "-c", SWEEP]
    first = start(env, *sweep, log=tmp_path / "sweep.log")
    try:
        # The sweep handed the 12th e-mail to the server and waits for its answer: it dies there.
        assert mailbox.holding.wait(timeout=120), "the sweep never reached the held message"
    finally:
        kill(first)
    mailbox.released.set()
    wait_for("the held message to be dropped", timeout=10, probe=lambda: mailbox.dropped or None)
    assert len(mailbox.accepted) == HELD - 1
    # The dead sweep's rows: those the server accepted are sent, the one in flight "sending",
    # and nothing claimed for the partners it had not reached.
    left = Counter(state for _partner, state, _failure in rows(env, auto))
    assert left == {"sent": HELD - 1, "sending": 1}

    assert manage(env, "shell", "-v0", "-c", SWEEP).startswith(f"{PARTNERS - HELD} sent")
    # Half an hour later, the row still "sending" is the dead sweep's: reported, not resent.
    stale = "UPDATE engagement_automationsend SET at = at - interval '1 hour' WHERE state = %s RETURNING id"
    if env["DATABASE_URL"].startswith("sqlite"):
        stale = "UPDATE engagement_automationsend SET at = datetime(at, '-1 hour') WHERE state = %s RETURNING id"
    assert len(query(env["DATABASE_URL"], stale, "sending")) == 1
    assert "1 interrupted" in manage(env, "shell", "-v0", "-c", SWEEP)
    final = rows(env, auto)
    by_state = Counter(state for _partner, state, _failure in final)
    assert by_state == {"sent": PARTNERS - 1, "failed": 1}
    assert {f for _p, state, f in final if state == "failed"} == {INTERRUPTED}
    received = Counter(mailbox.recipients())
    assert len(received) == PARTNERS - 1
    assert max(received.values()) == 1  # nobody twice
