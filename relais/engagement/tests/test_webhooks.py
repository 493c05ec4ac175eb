"""The provider's webhooks, through anymail's real views at /e/anymail/…: an event reaches the
recipient row of its message, a hard bounce or a complaint suppresses the address, a retried
event changes nothing, and a call without the secret (or with a bad signature) is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from relais.engagement import preferences
from relais.engagement.choices import RecipientState, SuppressionReason, Trigger
from relais.engagement.models import (
    Automation,
    AutomationSend,
    MessageTemplate,
    Recipient,
    Suppression,
)
from relais.engagement.tests.test_preferences import sent_recipient
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

SECRET = "relais:webhook-s3cret"
BREVO = "/e/anymail/brevo/tracking/"
MAILJET = "/e/anymail/mailjet/tracking/"
MAILGUN = "/e/anymail/mailgun/tracking/"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": "mg-key"}


def provider(auth: str | None = SECRET) -> Client:
    headers = {}
    if auth:
        headers["authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return Client(enforce_csrf_checks=True, headers=headers)


def brevo(event: str, recipient: Recipient, **extra: object) -> dict[str, object]:
    return {
        "event": event,
        "email": recipient.email,
        "message-id": recipient.message_id,
        "ts_epoch": int(time.time() * 1000),
        **extra,
    }


def post(url: str, payload: object, client: Client | None = None) -> int:
    client = client or provider()
    body = json.dumps(payload)
    return client.post(url, data=body, content_type="application/json").status_code


def test_a_delivered_event_marks_the_recipient_delivered():
    row = sent_recipient(PartnerFactory())
    assert post(BREVO, brevo("delivered", row)) == 200
    row.refresh_from_db()
    assert row.state == RecipientState.DELIVERED
    assert row.delivered_at is not None


def test_a_retried_event_keeps_the_first_date():
    row = sent_recipient(PartnerFactory())
    post(BREVO, brevo("opened", row, ts_epoch=1_700_000_000_000))
    post(BREVO, brevo("opened", row, ts_epoch=1_700_000_900_000))
    row.refresh_from_db()
    assert row.opened_at is not None
    assert row.opened_at.timestamp() == 1_700_000_000


def test_a_click_counts_as_an_open_too():
    row = sent_recipient(PartnerFactory())
    post(BREVO, brevo("click", row, link="https://relais.example/r/abc/"))
    row.refresh_from_db()
    assert row.clicked_at is not None
    assert row.opened_at is not None


def test_a_hard_bounce_marks_the_row_bounced_and_suppresses_the_address():
    partner = PartnerFactory(email="Anne.Martin@Orange.fr")
    row = sent_recipient(partner)
    assert post(BREVO, brevo("hard_bounce", row, reason="550 5.1.1 user unknown")) == 200
    row.refresh_from_db()
    assert (row.state, row.failure) == (RecipientState.BOUNCED, "550 5.1.1 user unknown")
    suppressed = Suppression.objects.get()
    assert (suppressed.email, suppressed.reason) == (
        "anne.martin@orange.fr",
        SuppressionReason.HARD_BOUNCE,
    )
    # the next campaign skips the address
    assert preferences.suppressed_among([partner.email]) == {"anne.martin@orange.fr"}


def test_a_late_delivered_event_does_not_undo_a_bounce():
    row = sent_recipient(PartnerFactory())
    post(BREVO, brevo("hard_bounce", row))
    post(BREVO, brevo("delivered", row))
    row.refresh_from_db()
    assert row.state == RecipientState.BOUNCED


def test_a_soft_bounce_suppresses_nobody():
    row = sent_recipient(PartnerFactory())
    post(BREVO, brevo("soft_bounce", row, reason="452 mailbox full"))
    row.refresh_from_db()
    assert row.state == RecipientState.SENT
    assert not Suppression.objects.exists()


def test_mailjet_tells_a_hard_bounce_from_a_soft_one():
    hard, soft = sent_recipient(PartnerFactory()), sent_recipient(PartnerFactory(), name="B")
    Recipient.objects.filter(pk=hard.pk).update(message_id="19421777835146490")
    Recipient.objects.filter(pk=soft.pk).update(message_id="19421777835146491")

    def bounce(row: Recipient, message_id: int, is_hard: bool) -> dict[str, object]:
        return {
            "event": "bounce",
            "time": int(time.time()),
            "MessageID": message_id,
            "email": row.email,
            "hard_bounce": is_hard,
            "error": "user unknown" if is_hard else "mailbox full",
        }

    events = [bounce(hard, 19421777835146490, True), bounce(soft, 19421777835146491, False)]
    assert post(MAILJET, events) == 200
    hard.refresh_from_db()
    soft.refresh_from_db()
    assert (hard.state, soft.state) == (RecipientState.BOUNCED, RecipientState.SENT)
    assert list(Suppression.objects.values_list("email", flat=True)) == [hard.email]


def test_a_complaint_marks_the_row_and_suppresses_the_address():
    row = sent_recipient(PartnerFactory())
    post(BREVO, brevo("spam", row))
    row.refresh_from_db()
    assert row.complained_at is not None
    assert Suppression.objects.get().reason == SuppressionReason.COMPLAINT


def test_an_unsubscription_at_the_provider_unsubscribes_the_partner():
    partner = PartnerFactory()
    row = sent_recipient(partner)
    post(BREVO, brevo("unsubscribe", row))
    row.refresh_from_db()
    assert row.unsubscribed_at is not None
    assert preferences.preference_of(partner).unsubscribed_at is not None


def test_a_bounce_of_a_message_we_do_not_know_still_suppresses_its_address():
    post(BREVO, {"event": "hard_bounce", "email": "Ghost@Example.fr", "message-id": "<x@y>"})
    assert Suppression.objects.get().email == "ghost@example.fr"


def test_an_automations_e_mail_is_tracked_too():
    partner = PartnerFactory()
    template = MessageTemplate.objects.create(name="Bienvenue", subject_fr="S", body_fr="B")
    automation = Automation.objects.create(name="J+7", trigger=Trigger.JOINED, template=template)
    send = AutomationSend.objects.create(
        automation=automation,
        partner=partner,
        state=RecipientState.SENT,
        message_id="<welcome-1@relais.localhost>",
        at=partner.created_at,
    )
    post(BREVO, {"event": "delivered", "email": partner.email, "message-id": send.message_id})
    send.refresh_from_db()
    assert send.state == RecipientState.DELIVERED
    post(BREVO, {"event": "hard_bounce", "message-id": send.message_id})  # no address given
    send.refresh_from_db()
    assert send.state == RecipientState.BOUNCED
    assert Suppression.objects.get().email == partner.email.lower()


# --- Authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", [None, "relais:wrong"])
def test_a_call_without_the_right_secret_is_refused_and_changes_nothing(auth):
    row = sent_recipient(PartnerFactory())
    assert post(BREVO, brevo("hard_bounce", row), client=provider(auth)) == 400
    row.refresh_from_db()
    assert row.state == RecipientState.SENT
    assert not Suppression.objects.exists()


def test_with_no_secret_configured_every_call_is_refused(settings):
    settings.ANYMAIL = {}
    row = sent_recipient(PartnerFactory())
    assert post(BREVO, brevo("hard_bounce", row), client=provider(None)) == 403
    assert not Suppression.objects.exists()


def mailgun(token: str, signature: str, recipient: Recipient) -> dict[str, object]:
    timestamp = str(int(time.time()))
    if signature == "sign":
        key, message = b"mg-key", f"{timestamp}{token}".encode()
        signature = hmac.new(key, message, hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "recipient": recipient.email,
            "timestamp": time.time(),
            "message": {"headers": {"message-id": recipient.message_id.strip("<>")}},
        },
    }


def test_a_signed_provider_is_refused_with_a_bad_signature_even_with_the_secret():
    row = sent_recipient(PartnerFactory())
    assert post(MAILGUN, mailgun("t1", "0" * 64, row)) == 400
    assert not Suppression.objects.exists()
    assert post(MAILGUN, mailgun("t2", "sign", row)) == 200
    row.refresh_from_db()
    assert row.state == RecipientState.BOUNCED
