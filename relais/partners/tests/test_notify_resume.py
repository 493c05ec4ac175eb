"""A new version's e-mailing outlives its worker: killed with SIGKILL while the mail server is
answering one partner's message, the e-mailing is queued again by the sweep, and the next
worker tells the others: every partner is told exactly once.

Real processes on a database of their own (an SQLite file, or a throwaway PostgreSQL database
when the suite runs on PostgreSQL), sending through Django's SMTP backend to a real SMTP server
in this process (``relais.testing.smtp``), which holds its answer to one message so that the
worker dies at the moment a lost or doubled e-mail would come from."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from relais.core import resumable
from relais.partners.models import ContractTemplate, VersionNotification
from relais.partners.services import notices, template_publish
from relais.testing.factories import PartnerFactory, partner_user
from relais.testing.processes import db_worker, kill, mailing_environment, manage, query, wait_for
from relais.testing.smtp import smtp_server

PARTNERS = 30
HELD = 12  # the mail server holds its answer to the 12th message; the worker dies meanwhile
SETUP = """
import django; django.setup()
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.scheduling import start_schedules
from relais.partners.models import ContractTemplate
from relais.partners.services import template_publish
from relais.testing.factories import PartnerFactory, partner_user
users = [partner_user(PartnerFactory()).email for _ in range(PARTNERS)]
manager = User.objects.create_user("contrats@relais.test", role=Role.MANAGER)
old = ContractTemplate.objects.filter(kind="introducer_contract").order_by("-version").first()
new = template_publish(
    kind=old.kind, title="Contrat d'apporteur 2027", body=old.body + "\\n12. Nouvelle clause.",
    valid_months=12, actor=manager,
)
start_schedules()
print(new.pk, *users)
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
        "notify",
        port,
        # A worker silent for 3 s is taken for dead; the sweep looks every 2 s.
        RELAIS_STALLED_AFTER_SECONDS="3",
        RELAIS_RESUME_SWEEP_SECONDS="2",
    ) as env:
        yield env


def worker(env, tmp_path):
    return db_worker(env, tmp_path / "worker.log")


def progress(env, template_id):
    sql = "SELECT state, told FROM partners_versionnotification WHERE template_id = %s"
    return query(env["DATABASE_URL"], sql, template_id)[0]


def marks(env, template_id):
    sql = "SELECT COUNT(*) FROM partners_versionnotice WHERE template_id = %s"
    return query(env["DATABASE_URL"], sql, template_id)[0][0]


def test_an_e_mailing_whose_worker_is_killed_tells_every_partner_exactly_once(
    worker_env, mail_server, tmp_path
):
    env, (_port, mailbox) = worker_env, mail_server
    output = manage(env, "shell", "-v0", "-c", SETUP.replace("PARTNERS", str(PARTNERS)))
    template_id, *users = output.splitlines()[-1].split()  # the shell's last line
    assert len(users) == PARTNERS
    first = worker(env, tmp_path)
    try:
        # The worker handed the 12th e-mail to the server and waits for its answer: it dies there.
        assert mailbox.holding.wait(timeout=120), "the worker never reached the held message"
    finally:
        kill(first)
    mailbox.released.set()
    wait_for("the held message to be dropped", timeout=10, probe=lambda: mailbox.dropped or None)
    assert len(mailbox.accepted) == HELD - 1
    # What the database says of the dead run: those the server accepted are marked told, the
    # one it never answered is not, and the e-mailing is left "running".
    assert progress(env, template_id) == ("running", HELD - 1)
    assert marks(env, template_id) == HELD - 1

    second = worker(env, tmp_path)
    try:
        # No one queues it again by hand: the sweep finds the e-mailing silent and re-queues it.
        wait_for(
            "the e-mailing to end",
            timeout=120,
            every=0.5,
            probe=lambda: True if progress(env, template_id)[0] in ("done", "failed") else None,
        )
    finally:
        kill(second)
    assert progress(env, template_id) == ("done", PARTNERS)
    told = Counter(mailbox.recipients())
    assert told == Counter(users)  # every partner once: none lost, none twice
    assert all(
        "Contrat d'apporteur 2027" in message["Subject"] for _to, message in mailbox.accepted
    )
    assert marks(env, template_id) == PARTNERS


# The same in one process, step by step: transactional, as the real task worker runs here.
@pytest.mark.django_db(transaction=True)
def test_a_run_taken_up_again_e_mails_only_the_partners_not_yet_told(manager):
    users = [partner_user(PartnerFactory()).email for _ in range(3)]
    old = ContractTemplate.objects.filter(kind="introducer_contract").order_by("-version").first()
    template = template_publish(
        kind=old.kind,
        title=old.title,
        body=old.body + "\n12. Clause.",
        valid_months=12,
        actor=manager,
    )
    # What a worker leaves when it dies after telling the first partner: its mark, the
    # e-mailing still "running", its last sign of life long ago.
    hold = resumable.claim(VersionNotification, template.pk)
    assert hold is not None
    first = notices._to_tell(template).first()
    assert notices._tell(template, first, [first.members.get().user.email], "/", hold)
    long_ago = timezone.now() - timedelta(hours=1)
    VersionNotification.objects.filter(pk=template.pk).update(heartbeat_at=long_ago)
    assert notices.requeue_stalled(timezone.now()) == "1 re-queued, 0 given up"
    # The worker runs the publication's task and the sweep's: one tells the two others, the
    # other finds the e-mailing finished.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(users)
    job = VersionNotification.objects.get(pk=template.pk)
    assert (job.state, job.told) == ("done", 3)
