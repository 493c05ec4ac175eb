"""The leads app's own writes reach the webhooks: a lead received, a duplicate flagged, a move,
through the services people use (no event published by hand)."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from relais.core import outbox
from relais.integrations import services
from relais.leads.services import lead_submit, lead_transition
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TYPES = ["lead.created", "lead.duplicate_flagged", "lead.status_changed"]


def received(receiver, secret):
    outbox.deliver_all()
    services.deliver_all()
    return [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]


def test_a_lead_received_then_qualified_is_sent_as_created_then_status_changed(receiver, manager):
    hook = services.endpoint_create(url=receiver.url, event_types=TYPES, owner=manager)
    partner = PartnerFactory()
    lead = lead_submit(
        data={"last_name": "Martin", "email": "m@orange.fr", "postcode": "69003"},
        channel="api",
        partner=partner,
    )
    lead_transition(lead=lead, to="qualified", actor=manager)

    created, moved = received(receiver, hook.secret)
    assert created["type"] == "lead.created"
    assert created["data"]["lead_id"] == lead.pk
    assert created["data"]["partner_id"] == partner.pk
    assert moved["type"] == "lead.status_changed"
    assert (moved["data"]["from_status"], moved["data"]["to_status"]) == (
        "submitted",
        "qualified",
    )


def test_a_duplicate_is_flagged(receiver, manager):
    hook = services.endpoint_create(url=receiver.url, event_types=TYPES[:2], owner=manager)
    partner = PartnerFactory()
    data = {"last_name": "Martin", "email": "m@orange.fr", "postcode": "69003"}
    first = lead_submit(data=data, channel="api", partner=partner)
    second = lead_submit(data=data, channel="api", partner=partner)

    kinds = [(p["type"], p["data"]["lead_id"]) for p in received(receiver, hook.secret)]

    assert kinds == [
        ("lead.created", first.pk),
        ("lead.created", second.pk),
        ("lead.duplicate_flagged", second.pk),
    ]
