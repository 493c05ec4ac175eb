"""A challenge's e-mails outlive a killed pass: SIGKILLed while the mail server is answering one
participant's launch e-mail, the pass run again sends the others; nobody gets a second copy, and
the one message the dead process was handing over is reported failed ("interrupted").

Real processes on a database of their own, through Django's SMTP backend to a real SMTP server
in this process (``relais.testing.smtp``) that holds its answer to one message, as the
automations' test (``engagement/tests/test_automation_resume.py``) does."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from relais.engagement.automations import INTERRUPTED
from relais.testing.processes import kill, mailing_environment, manage, query, start, wait_for
from relais.testing.smtp import smtp_server

PARTNERS = 20
HELD = 8  # the server holds its answer to the 8th message; the pass dies meanwhile
SETUP = """
from datetime import timedelta
from django.utils import timezone
from relais.challenges import services
from relais.challenges.models import Challenge
from relais.testing.factories import PartnerFactory
for _ in range(PARTNERS):
    PartnerFactory()
today = timezone.localdate()
c = Challenge.objects.create(name="Défi", starts_on=today, ends_on=today + timedelta(days=30),
                             metric="won", relaunch_below=0)
services.participants_propose(challenge=c, actor=None)
services.challenge_move(challenge=c, to="scheduled", actor=None)
services.challenge_move(challenge=c, to="running", actor=None)
print(c.pk)
"""
PASS = (
    "from django.utils import timezone; "
    "from relais.challenges.communication import challenges_communicate; "
    "print(challenges_communicate(now=timezone.now()))"
)
ROWS = "SELECT participant_id, state, failure FROM challenges_challengemessage"


@pytest.fixture
def mail_server():
    with smtp_server(hold=HELD) as server:
        yield server


@pytest.fixture
def env(tmp_path, mail_server):
    port, _mailbox = mail_server
    with mailing_environment(tmp_path, "challenge", port) as env:
        yield env


def test_a_pass_killed_mid_send_sends_nobody_a_second_copy(env, mail_server, tmp_path):
    _port, mailbox = mail_server
    manage(env, "shell", "-v0", "-c", SETUP.replace("PARTNERS", str(PARTNERS)))
    command = [sys.executable, "manage.py", "shell", "-v0", "-c", PASS]
    first = start(env, *command, log=tmp_path / "pass.log")
    try:
        assert mailbox.holding.wait(timeout=120), "the pass never reached the held message"
    finally:
        kill(first)
    mailbox.released.set()
    wait_for("the held message to be dropped", timeout=10, probe=lambda: mailbox.dropped or None)
    assert len(mailbox.accepted) == HELD - 1
    left = Counter(state for _p, state, _f in query(env["DATABASE_URL"], ROWS))
    assert left == {"sent": HELD - 1, "sending": 1}

    assert manage(env, "shell", "-v0", "-c", PASS).startswith(f"{PARTNERS - HELD} sent")
    stale = (
        "UPDATE challenges_challengemessage SET at = at - interval '1 hour' "
        "WHERE state = %s RETURNING id"
    )
    if env["DATABASE_URL"].startswith("sqlite"):
        stale = (
            "UPDATE challenges_challengemessage SET at = datetime(at, '-1 hour') "
            "WHERE state = %s RETURNING id"
        )
    assert len(query(env["DATABASE_URL"], stale, "sending")) == 1
    assert "1 interrupted" in manage(env, "shell", "-v0", "-c", PASS)
    final = query(env["DATABASE_URL"], ROWS)
    assert Counter(state for _p, state, _f in final) == {"sent": PARTNERS - 1, "failed": 1}
    assert {f for _p, state, f in final if state == "failed"} == {INTERRUPTED}
    received = Counter(mailbox.recipients())
    assert len(received) == PARTNERS - 1
    assert max(received.values()) == 1  # nobody twice
