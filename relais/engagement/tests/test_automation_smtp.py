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
