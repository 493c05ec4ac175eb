"""The commissions app's own writes reach the webhooks, through the services people use: a line
earned on a won deal, its approval and release, a clawback on a refund, a payment run prepared
then paid. Each arrives signed, once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from relais.commissions.services import lines, runs
from relais.commissions.tests.conftest import active_plan, payable_line, signed_partner, won_lead
from relais.core import outbox
from relais.integrations import services
from relais.leads.services import deal_refund
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
LINES = ["commission.line_created", "commission.status_changed", "commission.clawed_back"]
RUNS = ["payment_run.file_built", "payment_run.paid"]


def received(receiver, secret):
    # The commissions' events are published by handlers of the leads' events: a second pass.
    while outbox.deliver_all().delivered:
        pass
    services.deliver_all()
    payloads = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
    receiver.received.clear()
    return payloads


def test_a_won_deal_its_approval_and_a_refund_are_sent_as_line_events(receiver, manager):
    hook = services.endpoint_create(url=receiver.url, event_types=LINES, owner=manager)
    active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(10)})
    lead = won_lead(PartnerFactory(), manager, 10000)

    (created,) = received(receiver, hook.secret)
    assert created["type"] == "commission.line_created"
    assert created["version"] == 1
    line = created["data"]
    assert (line["lead_id"], line["kind"], line["amount"]) == (lead.pk, "commission", "1000.00")
    assert line["status"] == "pending"
    assert line["rule_code"] == "r0"

    lines.lines_approve(ids=[line["line_id"]], actor=manager)
    lines.lines_release(ids=[line["line_id"]], actor=manager)
    moves = [
        (p["data"]["from_status"], p["data"]["to_status"]) for p in received(receiver, hook.secret)
    ]
    assert moves == [("pending", "approved"), ("approved", "payable")]

    deal_refund(lead=lead, amount=Decimal(2500), actor=manager, reason="Avoir partiel")
    clawback = received(receiver, hook.secret)
    assert [p["type"] for p in clawback] == ["commission.line_created", "commission.clawed_back"]
    assert clawback[1]["data"]["amount"] == "-250.00"
    assert clawback[1]["data"]["reverses_id"] == line["line_id"]
    # Each webhook event has its own id, the receiver's key to drop a repeated one.
    assert len(set(services.WebhookDelivery.objects.values_list("event_id", flat=True))) == 5


def test_a_payment_run_is_sent_when_its_file_is_built_and_when_it_is_paid(receiver, manager):
    hook = services.endpoint_create(url=receiver.url, event_types=[*RUNS, LINES[1]], owner=manager)
    partner = signed_partner(mandate=False)
    first, second = payable_line(partner, "120.00"), payable_line(partner, "30.50")

    run = runs.run_create(cutoff=date.today(), execution_date=date.today(), actor=manager)
    (built,) = received(receiver, hook.secret)
    assert built["type"] == "payment_run.file_built"
    assert built["data"] | {"created_at": None} == {
        "run_id": run.pk,
        "status": "draft",
        "cutoff": date.today().isoformat(),
        "execution_date": date.today().isoformat(),
        "total": "150.50",
        "transfers": 1,
        "blocked": 0,
        "sepa_schema": "pain.001.001.09",
        "created_at": None,
        "closed_at": None,
    }

    runs.run_send(run=run, actor=manager)
    runs.run_mark_paid(run=run, actor=manager)
    sent = received(receiver, hook.secret)
    paid_lines = [p["data"]["line_id"] for p in sent if p["type"] == "commission.status_changed"]
    assert sorted(paid_lines) == [first.pk, second.pk]
    assert all(p["data"]["to_status"] == "paid" for p in sent if p["type"] != "payment_run.paid")
    (paid,) = [p for p in sent if p["type"] == "payment_run.paid"]
    assert paid["data"]["status"] == "paid"
    assert paid["data"]["closed_at"] is not None


def test_an_endpoint_not_subscribed_to_commissions_gets_none(receiver, manager):
    hook = services.endpoint_create(url=receiver.url, event_types=["lead.created"], owner=manager)
    active_plan(manager, {"trigger": "won", "formula": "fixed", "amount": Decimal(50)})
    won_lead(PartnerFactory(), manager, 1000)

    assert [p["type"] for p in received(receiver, hook.secret)].count("lead.created") == 1
    assert services.WebhookDelivery.objects.filter(event_type__startswith="commission").count() == 0
