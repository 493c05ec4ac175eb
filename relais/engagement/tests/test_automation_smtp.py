"""Automations through a real SMTP server (aiosmtpd): the digest arrives once per partner
however often the sweep runs, with the one-click unsubscribe headers and the Message-ID kept
on its row; an unsubscribed partner's address receives nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.engagement import preferences
from relais.engagement.automations import automations_run, digest_automation_ensure
from relais.engagement.choices import RecipientState, Topic
from relais.engagement.models import AutomationSend, Preference
from relais.engagement.tests.smtp import smtp_server  # noqa: F401 - a pytest fixture
from relais.leads.services import lead_submit
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_the_digest_reaches_the_mail_server_once_with_its_headers(smtp_server):  # noqa: F811
    auto = digest_automation_ensure(actor=None)
    reader = PartnerFactory(first_name="Amélie", email="amelie.roux@orange.fr")
    gone = PartnerFactory(email="parti@free.fr")
    Preference.objects.create(partner=gone, unsubscribed_at=timezone.now())
    lead_submit(
        data={"last_name": "Petit", "phone": "0612000001", "postcode": "69003"},
        channel="portal",
        partner=reader,
    )
    early_next_month = timezone.now().replace(day=1) + timedelta(days=33)
    for _ in range(3):
        automations_run(now=early_next_month)

    (received,) = smtp_server.to("amelie.roux@orange.fr")
    assert smtp_server.to("parti@free.fr") == []
    assert len(smtp_server.messages) == 1
    assert received["Subject"].startswith("Amélie, votre bilan de ")
    text = received.get_body(("plain",)).get_content()
    assert "vous nous avez transmis 1 lead(s)" in text
    assert f"<{preferences.unsubscribe_url(reader)}>" in received["List-Unsubscribe"]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["X-Relais-Topic"] == Topic.DIGEST
    row = AutomationSend.objects.get(automation=auto, partner=reader)
    assert (row.state, row.message_id) == (RecipientState.SENT, received["Message-ID"])
    skipped = AutomationSend.objects.get(automation=auto, partner=gone)
    assert (skipped.state, skipped.skip_reason) == (RecipientState.SKIPPED, "unsubscribed")


class _Refusing:
    """A mail server that refuses one mailbox ("550"), as a real one does for an unknown user."""

    def __init__(self, refused: str):
        self.refused, self.accepted = refused, []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address == self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK: queued"


def test_a_mailbox_the_server_refuses_is_that_rows_failure_the_others_go(settings):
    from aiosmtpd.controller import Controller

    from relais.engagement.automations import automation_save
    from relais.engagement.models import MessageTemplate
    from relais.engagement.tests.smtp import _free_port, smtp_mailers
    from relais.partners.models import Partner

    handler = _Refusing("inconnu@orange.fr")
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = smtp_mailers(port)
    try:
        template = MessageTemplate.objects.create(
            name="Bienvenue", topic=Topic.NEWS, subject_fr="Bienvenue", body_fr="Bonjour"
        )
        data = {"name": "J+1", "trigger": "joined", "days": 1, "template": template}
        auto = automation_save(automation=None, data=data, actor=None)
        now = timezone.now()
        type(auto).objects.filter(pk=auto.pk).update(created_at=now - timedelta(days=10))
        unknown = PartnerFactory(email="inconnu@orange.fr")
        known = PartnerFactory(email="connu@orange.fr")
        Partner.objects.update(created_at=now - timedelta(days=2))
        assert automations_run(now=now).startswith("1 sent, 0 skipped, 1 failed")
        automations_run(now=now)  # a failure is not retried: it is the partner's address
    finally:
        controller.stop()
    assert handler.accepted == ["connu@orange.fr"]
    failed = AutomationSend.objects.get(automation=auto, partner=unknown)
    assert failed.state == RecipientState.FAILED
    assert "No such user" in failed.failure
    assert AutomationSend.objects.get(automation=auto, partner=known).state == RecipientState.SENT
