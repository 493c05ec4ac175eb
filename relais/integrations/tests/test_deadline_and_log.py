"""One deadline for a whole attempt (a receiver dripping its answer cannot hold a worker past
it), and the delivery log's retention (done deliveries older than the setting are deleted by the
hourly job; undone ones stay)."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from relais.core import scheduling
from relais.integrations import sender, services
from relais.integrations.choices import DeliveryState
from relais.integrations.models import WebhookDelivery, WebhookEndpoint


def dripping_server(stop: threading.Event) -> socket.socket:
    """Answers headers at once, then one byte of body every 0.2 s: each read is quick, the
    whole answer never ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
        while not stop.is_set():
            try:
                conn.sendall(b"x")
            except OSError:
                break
            time.sleep(0.2)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener


def test_a_receiver_dripping_its_answer_is_cut_at_the_overall_deadline(settings):
    settings.RELAIS_WEBHOOK_ALLOW_HTTP = settings.RELAIS_WEBHOOK_ALLOW_PRIVATE = True
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = 1
    stop = threading.Event()
    listener = dripping_server(stop)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    started = time.monotonic()
    try:
        answer = sender.post(url, "{}", {})
    finally:
        stop.set()
        listener.close()

    assert time.monotonic() - started < 2.5  # each byte came within 0.2 s: no socket timeout
    assert answer.code is None
    assert answer.error == "timed out: no full answer within 1 s"
    assert not answer.ok


def test_a_quick_answer_is_not_touched_by_the_deadline(receiver, settings):
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = 1
    answer = sender.post(receiver.url, "{}", {})
    time.sleep(1.2)  # the timer, cancelled, never fires afterwards
    assert (answer.code, answer.excerpt, answer.error) == (200, "ok", "")


def delivery(endpoint, n, state, age_days):
    at = timezone.now() - timedelta(days=age_days)
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=f"msg_{n}",
        event_type="lead.created",
        payload={},
        state=state,
        created_at=at,
        occurred_at=at,
    )


@pytest.mark.django_db
def test_the_log_keeps_done_deliveries_for_its_retention_then_deletes_them(settings):
    settings.RELAIS_WEBHOOK_LOG_DAYS = 30
    hook = WebhookEndpoint.objects.create(url="https://crm.example.fr/h", secret="whsec_x")
    old_done = delivery(hook, 1, DeliveryState.DELIVERED, 40)
    old_failed = delivery(hook, 2, DeliveryState.FAILED, 31)
    old_retrying = delivery(hook, 3, DeliveryState.RETRYING, 35)
    recent = delivery(hook, 4, DeliveryState.DELIVERED, 29)
    newest_but_old = delivery(hook, 5, DeliveryState.DELIVERED, 45)  # a later pk, older date

    (job,) = [j for j in scheduling.jobs() if j.name == "integrations.webhook_log"]
    assert job.every == timedelta(hours=1)
    assert job.run(timezone.now()) == "2 deliveries pruned"

    kept = set(WebhookDelivery.objects.values_list("pk", flat=True))
    assert kept == {old_retrying.pk, recent.pk, newest_but_old.pk}
    assert old_done.pk not in kept
    assert old_failed.pk not in kept
    # Past the first kept row, the next passes find it once it is old enough.
    assert services.deliveries_prune(now=timezone.now() + timedelta(days=2)) == 2


@pytest.mark.django_db
def test_a_retention_of_zero_keeps_the_log_for_ever(settings):
    settings.RELAIS_WEBHOOK_LOG_DAYS = 0
    hook = WebhookEndpoint.objects.create(url="https://crm.example.fr/h", secret="whsec_x")
    delivery(hook, 1, DeliveryState.DELIVERED, 4000)
    assert services.deliveries_prune(now=timezone.now()) == 0
    assert WebhookDelivery.objects.count() == 1
