"""Two workers sweeping the automations at the same moment (PostgreSQL, real threads, a real
SMTP server): every partner due receives one welcome, not two — the unique (automation,
partner, occasion) row committed before the send decides which worker sends it."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from relais.engagement.automations import automation_save, automations_run
from relais.engagement.choices import RecipientState, Topic, Trigger
from relais.engagement.models import Automation, AutomationSend, MessageTemplate
from relais.engagement.tests.smtp import smtp_server  # noqa: F401 - a pytest fixture
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

PARTNERS = 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_partner_one_copy(smtp_server):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    template = MessageTemplate.objects.create(
        name="Bienvenue", topic=Topic.NEWS, subject_fr="Bienvenue", body_fr="Bonjour"
    )
    now = timezone.now()
    data = {"name": "J+1", "trigger": Trigger.JOINED, "days": 1, "template": template}
    auto = automation_save(automation=None, data=data, actor=None)
    Automation.objects.filter(pk=auto.pk).update(created_at=now - timedelta(days=10))
    partners = [PartnerFactory() for _ in range(PARTNERS)]
    Partner.objects.update(created_at=now - timedelta(days=2))
    barrier, summaries = threading.Barrier(2), []

    def sweep():
        barrier.wait(timeout=10)
        try:
            summaries.append(automations_run(now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=120) for t in threads]

    assert len(summaries) == 2
    received = sorted(to for rcpts in smtp_server.envelopes for to in rcpts)
    assert received == sorted(p.email for p in partners)
    states = AutomationSend.objects.filter(automation=auto).values_list("state", flat=True)
    assert list(states) == [RecipientState.SENT] * PARTNERS
    sent = sum(int(summary.split(" sent")[0]) for summary in summaries)
    assert sent == PARTNERS
