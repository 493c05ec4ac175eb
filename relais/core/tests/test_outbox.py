"""Durable domain events: published in the writer's transaction, delivered by the worker to each
handler on its own, a failing handler retried until it succeeds without touching the others."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from relais.commissions.models import CommissionLine
from relais.commissions.tests.conftest import active_plan
from relais.core import events, outbox
from relais.core.events import Event
from relais.core.models import EventDelivery, OutboxEvent
from relais.leads.events import LeadQualified
from relais.leads.services import lead_submit
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Pinged(Event):
    n: int


seen: list[tuple[str, int]] = []
failures_left = {"count": 0}


def record(event: Pinged) -> None:
    seen.append(("record", event.n))


def flaky(event: Pinged) -> None:
    if failures_left["count"]:
        failures_left["count"] -= 1
        raise RuntimeError("the mail server said no")
    seen.append(("flaky", event.n))


def broken_router(event: LeadQualified) -> None:
    raise RuntimeError("no reseller covers 69")


@pytest.fixture
def subscribed():
    seen.clear()
    events.subscribe(Pinged, flaky)
    events.subscribe(Pinged, record)
    yield
    events.unsubscribe(Pinged, flaky)
    events.unsubscribe(Pinged, record)


def later(seconds: float) -> timezone.datetime:
    return timezone.now() + timedelta(seconds=seconds)


def test_publishing_writes_the_event_in_the_transaction_and_a_rollback_takes_it_back(subscribed):
    with transaction.atomic():
        events.publish(Pinged(n=1))
        assert OutboxEvent.objects.get().payload == {"n": 1}
        transaction.set_rollback(True)
    assert not OutboxEvent.objects.exists()
    assert seen == []  # nothing ran in the publisher's process


def test_a_failing_handler_leaves_the_others_done_and_is_retried_until_it_succeeds(subscribed):
    failures_left["count"] = 2
    events.publish(Pinged(n=7))

    first = outbox.deliver_all()
    assert (first.delivered, first.failed) == (1, 1)
    assert seen == [("record", 7)]
    failing = EventDelivery.objects.get(handler__endswith=".flaky")
    assert failing.attempts == 1
    assert "the mail server said no" in failing.last_error
    assert failing.next_attempt_at > timezone.now()  # backoff: not retried at once
    assert outbox.deliver_all().failed == 0  # nothing due yet
    assert OutboxEvent.objects.get().delivered_at is None

    outbox.deliver_all(later(31))  # second failure: 60 s now
    failing.refresh_from_db()
    assert failing.attempts == 2
    assert failing.next_attempt_at > later(55)
    outbox.deliver_all(later(31 + 61))

    assert seen == [("record", 7), ("flaky", 7)]  # each handler once
    failing.refresh_from_db()
    assert (failing.attempts, failing.last_error) == (3, "")
    assert failing.done_at is not None
    assert OutboxEvent.objects.get().delivered_at is not None


def test_a_routing_failure_no_longer_stops_the_commission_of_a_qualified_lead(
    client, manager, django_capture_on_commit_callbacks
):
    """The bug of the in-process hooks: the first handler raising dropped the ones after it and
    turned a committed write into a 500."""
    active_plan(manager, {"trigger": "qualified", "formula": "fixed", "amount": Decimal(30)})
    lead = lead_submit(
        data={"last_name": "Garnier", "phone": "0622000001", "postcode": "69003"},
        channel="portal",
        partner=PartnerFactory(),
    )
    events.subscribe(LeadQualified, broken_router)
    try:
        client.force_login(manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/leads/{lead.pk}/status/", {"to": "qualified"})
        assert response.status_code == 302  # the request knows nothing of the handlers
        outbox.deliver_all()
    finally:
        events.unsubscribe(LeadQualified, broken_router)
    assert list(CommissionLine.objects.values_list("amount", flat=True)) == [Decimal("30.00")]
    stuck = outbox.stuck()
    assert [d.handler.rsplit(".", 1)[-1] for d in stuck] == ["broken_router"]


def test_two_workers_never_run_the_same_delivery(subscribed):
    events.publish(Pinged(n=3))
    outbox.fan_out()
    delivery = EventDelivery.objects.filter(handler__endswith=".record").get()
    now = timezone.now()
    assert outbox._claim(delivery, now) is True
    assert outbox._claim(delivery, now) is False  # the second worker read the same row


def test_the_command_shows_a_stuck_delivery_and_replays_it(subscribed, capsys):
    failures_left["count"] = 1
    events.publish(Pinged(n=5))
    outbox.deliver_all()
    call_command("events")
    shown = capsys.readouterr().out
    assert "flaky" in shown
    assert "attempts=1" in shown
    assert "the mail server said no" in shown

    call_command("events", "--replay")
    assert "1 delivered, 0 failed" in capsys.readouterr().out
    assert ("flaky", 5) in seen
    assert outbox.stuck() == []


def test_healthz_tells_how_long_the_oldest_event_has_waited(client, subscribed):
    assert client.get("/healthz").json()["oldest_undelivered_event_seconds"] is None
    events.publish(Pinged(n=9))
    OutboxEvent.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    waited = client.get("/healthz").json()["oldest_undelivered_event_seconds"]
    assert 299 <= waited <= 310
    outbox.deliver_all()
    assert client.get("/healthz").json()["oldest_undelivered_event_seconds"] is None
