"""A campaign outlives its worker: killed with SIGKILL while the mail server is answering one
recipient's message, the campaign is queued again by the sweep and the next worker sends the
rest. Nobody gets a second copy; the one message the dead worker was handing over is marked
failed ("interrupted"), not resent.

Real processes on a database of their own (an SQLite file, or a throwaway PostgreSQL database
when the suite runs on PostgreSQL), sending through Django's SMTP backend to a real SMTP server
in this process (``relais.testing.smtp``), which holds its answer to one message so that the
worker dies at the moment a doubled e-mail would come from."""

from __future__ import annotations

from collections import Counter

import pytest

from relais.engagement.sending import INTERRUPTED
from relais.testing.processes import db_worker, kill, mailing_environment, manage, query, wait_for
from relais.testing.smtp import smtp_server

PARTNERS = 200
HELD = 40  # the mail server holds its answer to the 40th message; the worker dies meanwhile
RATE = 1200  # a minute: ~10 s for the campaign, long enough to kill the worker in the middle
SETUP = """
import django; django.setup()
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.scheduling import start_schedules
from relais.engagement.campaigns import campaign_launch, campaign_save
from relais.engagement.models import MessageTemplate
from relais.testing.factories import PartnerFactory
partners = [PartnerFactory() for _ in range(PARTNERS)]
manager = User.objects.create_user("animation@relais.test", role=Role.MANAGER)
template = MessageTemplate.objects.create(
    name="Relance", subject_fr="{{ first_name }}, du nouveau", body_fr="Bonjour {{ first_name }}"
)
data = {"name": "Réveil", "template": template, "audience": "list", "holdout_share": "0.1",
        "rate_per_minute": "RATE"}
campaign = campaign_save(campaign=None, data=data, picked=[p.pk for p in partners], actor=manager)
start_schedules()
campaign = campaign_launch(campaign=campaign, actor=manager)
print(campaign.pk)
"""


@pytest.fixture
def mail_server():
    with smtp_server(hold=HELD) as server:
        yield server


@pytest.fixture
def worker_env(tmp_path, mail_server):
    port, _mailbox = mail_server
    with mailing_environment(
        tmp_path,
        "campaign",
        port,
        # A worker silent for 3 s is taken for dead; the campaigns' sweep looks every 2 s.
        RELAIS_STALLED_AFTER_SECONDS="3",
        RELAIS_CAMPAIGN_SWEEP_SECONDS="2",
    ) as env:
        yield env


def campaign_state(env, pk):
    sql = "SELECT state, queued_count FROM engagement_campaign WHERE id = %s"
    return query(env["DATABASE_URL"], sql, pk)[0]


def rows(env, pk):
    sql = "SELECT email, state, failure FROM engagement_recipient WHERE campaign_id = %s"
    return query(env["DATABASE_URL"], sql, pk)


def test_a_campaign_whose_worker_is_killed_sends_nobody_a_second_copy(
    worker_env, mail_server, tmp_path
):
    env, (_port, mailbox) = worker_env, mail_server
    script = SETUP.replace("PARTNERS", str(PARTNERS)).replace("RATE", str(RATE))
    campaign = int(manage(env, "shell", "-v0", "-c", script).splitlines()[-1])
    first = db_worker(env, tmp_path / "worker.log")
    try:
        # The worker handed the 40th e-mail to the server and waits for its answer: it dies there.
        assert mailbox.holding.wait(timeout=120), "the worker never reached the held message"
    finally:
        kill(first)
    mailbox.released.set()
    wait_for("the held message to be dropped", timeout=10, probe=lambda: mailbox.dropped or None)
    assert len(mailbox.accepted) == HELD - 1
    # The dead run's rows: those the server accepted are sent, the held one is "sending".
    left = Counter(state for _email, state, _failure in rows(env, campaign))
    assert (left["sent"], left["sending"]) == (HELD - 1, 1)
    assert campaign_state(env, campaign)[0] == "running"

    second = db_worker(env, tmp_path / "worker.log")
    try:
        # No one queues it again by hand: the sweep finds the campaign silent and re-queues it.
        wait_for(
            "the campaign to end",
            timeout=180,
            every=0.5,
            probe=lambda: True if campaign_state(env, campaign)[0] in ("sent", "failed") else None,
        )
    finally:
        kill(second)
    state, queued = campaign_state(env, campaign)
    assert state == "sent"
    final = rows(env, campaign)
    by_state = Counter(state for _email, state, _failure in final)
    assert by_state["holdout"] > 0
    assert by_state["sending"] == by_state["queued"] == 0
    assert queued == PARTNERS - by_state["holdout"]
    # The one the dead worker was sending to: failed, said why, not sent again.
    [interrupted] = [email for email, state, _f in final if state == "failed"]
    assert {f for _e, state, f in final if state == "failed"} == {INTERRUPTED}
    received = Counter(mailbox.recipients())
    assert max(received.values()) == 1  # nobody twice
    expected = {email for email, state, _f in final if state == "sent"}
    assert set(received) == expected
    assert interrupted not in received
    assert len(expected) == queued - 1  # all but the one interrupted
