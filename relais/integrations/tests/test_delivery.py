"""Webhooks received by a real HTTP server on 127.0.0.1: signed (verified with the
``standardwebhooks`` library), retried on the Standard Webhooks schedule, never twice once taken,
and given up on an endpoint that says it is gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from relais.core import events, outbox
from relais.integrations import services
from relais.integrations.choices import DeliveryState
from relais.integrations.models import WebhookDelivery, WebhookEndpoint
from relais.partners.events import PartnerCreated
from relais.partners.services.status import partner_transition
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def endpoint(receiver, manager, types=("partner.created", "partner.status_changed")):
    return services.endpoint_create(url=receiver.url, event_types=list(types), owner=manager)


def partners_created(count):
    """``count`` partners, each with its PartnerCreated event handed to the webhooks."""
    partners = PartnerFactory.create_batch(count)
    for partner in partners:
        events.publish(PartnerCreated(partner_id=partner.pk))
    outbox.deliver_all()
    return partners


def later(delivery_or_seconds):
    return timezone.now() + timedelta(seconds=delivery_or_seconds)


def test_each_event_arrives_signed_with_the_endpoints_secret(receiver, manager):
    hook = endpoint(receiver, manager)
    partner = partners_created(1)[0]

    assert services.deliver_all() == (1, 0)

    (got,) = receiver.received
    payload = Webhook(hook.secret).verify(got.body, got.headers)
    assert payload["type"] == "partner.created"
    assert payload["version"] == 1
    assert payload["data"]["partner_id"] == partner.pk
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["webhook-signature"].startswith("v1,")
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.response_code == 200
    assert delivery.duration_ms is not None
    assert delivery.response_excerpt == "ok"


def test_a_signature_with_another_secret_does_not_verify(receiver, manager):
    endpoint(receiver, manager)
    partners_created(1)
    services.deliver_all()

    (got,) = receiver.received
    with pytest.raises(Exception, match="signature"):
        Webhook(services.new_secret()).verify(got.body, got.headers)


def test_a_partners_status_change_made_by_its_service_is_sent(receiver, manager):
    hook = endpoint(receiver, manager)
    partner = PartnerFactory.create()

    partner_transition(partner=partner, to="paused", actor=manager, reason="Holidays")
    outbox.deliver_all()
    services.deliver_all()

    (got,) = receiver.received
    data = Webhook(hook.secret).verify(got.body, got.headers)["data"]
    assert (data["from_status"], data["to_status"]) == ("active", "paused")


def test_only_the_types_an_endpoint_chose_reach_it(receiver, manager):
    endpoint(receiver, manager, types=["partner.status_changed"])
    partners_created(2)

    assert WebhookDelivery.objects.count() == 0


def test_a_disabled_endpoint_gets_nothing(receiver, manager):
    hook = endpoint(receiver, manager)
    WebhookEndpoint.objects.filter(pk=hook.pk).update(enabled=False)
    partners_created(1)
    services.deliver_all()

    assert receiver.received == []


def test_the_fan_out_run_twice_makes_each_delivery_once(receiver, manager):
    endpoint(receiver, manager)
    partner = PartnerFactory.create()
    events.publish(PartnerCreated(partner_id=partner.pk))
    outbox.deliver_all()
    # A worker killed after the fan-out's work and before its ack: the outbox runs it again.
    from relais.core.models import EventDelivery

    EventDelivery.objects.update(done_at=None, next_attempt_at=timezone.now())
    outbox.deliver_all()

    assert WebhookDelivery.objects.count() == 1


def test_a_receiver_failing_then_recovering_gets_each_event_once_more_and_no_more(
    receiver, manager
):
    endpoint(receiver, manager)
    partners_created(3)
    receiver.answer(500, 500, 500)

    assert services.deliver_all() == (0, 3)
    assert services.deliver_all() == (0, 0)  # the retries wait their turn (5 s)
    assert services.deliver_all(now=later(6)) == (3, 0)
    assert services.deliver_all(now=later(3600)) == (0, 0)

    ids = receiver.ids()
    assert len(ids) == 6
    assert len(set(ids)) == 3
    assert sorted(ids[:3]) == sorted(ids[3:])  # the same webhook-id, for the receiver to dedupe
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert WebhookEndpoint.objects.get().failing_since is None


def test_retries_follow_the_schedule_and_then_give_up(receiver, manager):
    endpoint(receiver, manager)
    partners_created(1)
    now = timezone.now()
    waits = []
    for _attempt in range(len(services.SCHEDULE) + 1):
        receiver.answer(500)
        services.deliver_all(now=now)
        delivery = WebhookDelivery.objects.get()
        if delivery.state == DeliveryState.FAILED:
            break
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
    for wait, planned in zip(waits, services.SCHEDULE, strict=True):
        assert planned * 0.89 <= wait <= planned * 1.11  # jitter of ±10 %
    assert len(receiver.received) == 10
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED


def test_retry_after_is_honoured_on_429(receiver, manager):
    endpoint(receiver, manager)
    partners_created(1)
    receiver.answer((429, {"Retry-After": "120"}))
    services.deliver_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 429
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=115)
    assert services.deliver_all(now=later(60)) == (0, 0)
    assert services.deliver_all(now=later(125)) == (1, 0)


def test_410_gone_disables_the_endpoint(receiver, manager):
    hook = endpoint(receiver, manager)
    partners_created(2)
    receiver.answer(410)

    services.deliver_all()

    hook.refresh_from_db()
    assert not hook.enabled
    assert "410" in hook.disabled_reason
    assert len(receiver.received) == 1  # the second event is not sent to a gone receiver
    assert WebhookDelivery.objects.filter(state=DeliveryState.FAILED).count() == 1


def test_an_endpoint_failing_for_five_days_is_disabled_and_its_owner_told_once(receiver, manager):
    hook = endpoint(receiver, manager)
    partners_created(1)
    receiver.answer(*[500] * 20)
    services.deliver_all()
    WebhookEndpoint.objects.filter(pk=hook.pk).update(
        failing_since=timezone.now() - timedelta(days=5, minutes=1)
    )
    services.deliver_all(now=later(6))
    partners_created(1)
    services.deliver_all(now=later(400))

    hook.refresh_from_db()
    assert not hook.enabled
    assert "5 days" in hook.disabled_reason
    assert len(mail.outbox) == 1
    assert hook.url in mail.outbox[0].body
    assert mail.outbox[0].to == [manager.email]


def test_a_delivery_claimed_by_a_killed_worker_is_sent_again_once(receiver, manager):
    endpoint(receiver, manager)
    partners_created(1)
    delivery = WebhookDelivery.objects.get()
    # A worker claims it and dies before sending: its claim holds for the lease.
    assert services.deliveries_claim(ids=[delivery.pk], now=timezone.now()) == [delivery]

    assert services.deliver_all() == (0, 0)
    after_lease = timezone.now() + services.delivery_lease() + timedelta(seconds=1)
    assert services.deliver_all(now=after_lease) == (1, 0)
    assert services.deliver_all(now=after_lease + timedelta(hours=30)) == (0, 0)
    assert len(receiver.received) == 1


def test_two_workers_never_send_one_delivery_twice(receiver, manager):
    endpoint(receiver, manager)
    partners_created(1)
    stale_copy = WebhookDelivery.objects.get()
    services.deliver_all()

    assert services.deliver_one(delivery=stale_copy) is None
    assert len(receiver.received) == 1


def test_during_a_rotation_both_secrets_sign(receiver, manager):
    hook = endpoint(receiver, manager)
    old = hook.secret
    new = services.endpoint_rotate_secret(endpoint=hook)
    partners_created(1)
    services.deliver_all()

    (got,) = receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)


def test_after_the_overlap_only_the_new_secret_signs(receiver, manager):
    hook = endpoint(receiver, manager)
    old = hook.secret
    services.endpoint_rotate_secret(endpoint=hook, now=timezone.now() - timedelta(days=2))
    partners_created(1)
    services.deliver_all()

    (got,) = receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(Exception, match="signature"):
        Webhook(old).verify(got.body, got.headers)


def test_replaying_a_delivery_sends_it_again_with_the_same_id(receiver, manager):
    hook = endpoint(receiver, manager)
    partners_created(1)
    services.deliver_all()
    services.delivery_replay(delivery=WebhookDelivery.objects.get())
    services.deliver_all()

    assert len(receiver.ids()) == 2
    assert len(set(receiver.ids())) == 1
    assert hook.deliveries.get().state == DeliveryState.DELIVERED


def test_replaying_everything_failed_since_a_date(receiver, manager):
    hook = endpoint(receiver, manager)
    partners_created(2)
    receiver.answer(*[500] * 20)
    now = timezone.now()
    while undone := list(hook.deliveries.filter(state__in=services.UNDONE)):
        now = max([now, *(d.next_attempt_at for d in undone)])
        services.deliver_all(now=now)
    assert hook.deliveries.filter(state=DeliveryState.FAILED).count() == 2
    receiver.answers.clear()

    count = services.deliveries_replay_failed(
        endpoint=hook, since=timezone.now() - timedelta(hours=1)
    )
    services.deliver_all()

    assert count == 2
    assert hook.deliveries.filter(state=DeliveryState.DELIVERED).count() == 2


def test_the_test_event_reaches_the_endpoint(receiver, manager):
    hook = endpoint(receiver, manager)
    services.endpoint_send_test(endpoint=hook)
    services.deliver_all()

    (got,) = receiver.received
    assert Webhook(hook.secret).verify(got.body, got.headers)["type"] == "webhook.test"


def test_redirects_are_not_followed(receiver, manager):
    hook = endpoint(receiver, manager)
    partners_created(1)
    receiver.answer((302, {"Location": "http://127.0.0.1:9/elsewhere"}))
    services.deliver_all()

    delivery = hook.deliveries.get()
    assert delivery.response_code == 302
    assert delivery.state == DeliveryState.RETRYING
    assert len(receiver.received) == 1
