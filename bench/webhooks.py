"""Issue 31's workload: domain events fanned out to 2 local webhook receivers.

Throughput: 10,000 events (``PartnerStatusChanged``, each wanted by both endpoints: 20,000
signed POSTs) published up front, then the worker's passes (the outbox's fan-out, then the
webhook deliveries) until all are taken; against the floor, the same 20,000 POSTs from a plain
``http.client`` loop (no database, no signing). Delay: events published at half the measured
rate while a worker thread delivers (it polls every 50 ms, standing in for the task queue's
wake-up); the p99 of ``delivered_at - occurred_at`` (the event's commit)."""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from bench.measure import percentile, result
from relais.core import events, outbox
from relais.core.models import EventDelivery, OutboxEvent
from relais.integrations import services
from relais.integrations.models import WebhookDelivery, WebhookEndpoint
from relais.partners.events import PartnerStatusChanged
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

BENCH = "bench-webhooks"


class _Taker(BaseHTTPRequestHandler):
    """A receiver that takes every POST (204) and keeps the connection open."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _receivers() -> list[ThreadingHTTPServer]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Taker) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers


def _publish(partner_ids: list[int], count: int, per_commit: int = 100) -> None:
    for start in range(0, count, per_commit):
        with transaction.atomic():
            for n in range(start, min(start + per_commit, count)):
                pid = partner_ids[n % len(partner_ids)]
                events.publish(PartnerStatusChanged(pid, "active", "paused"))


def _drain() -> int:
    delivered = 0
    while True:
        outbox.deliver_all()
        done, _failed = services.deliver_all()
        delivered += done
        waiting = WebhookDelivery.objects.filter(state="pending").exists()
        if not done and not waiting and not OutboxEvent.objects.filter(delivered_at=None).exists():
            return delivered


def _floor(urls: list[str], bodies: list[str]) -> float:
    """Seconds for the same POSTs from a plain loop: one new connection each, as the worker."""
    started = time.perf_counter()
    for n, body in enumerate(bodies):
        url = urls[n % len(urls)]
        host, port = url.split("//")[1].split("/")[0].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=15)
        conn.request("POST", "/hooks", body=body, headers={"content-type": "application/json"})
        conn.getresponse().read()
        conn.close()
    return time.perf_counter() - started


def _cleanup() -> None:
    WebhookEndpoint.objects.filter(description=BENCH).delete()
    kind = events.dotted(PartnerStatusChanged)
    EventDelivery.objects.filter(event__kind=kind).delete()
    OutboxEvent.objects.filter(kind=kind).delete()


def _worker(stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            outbox.deliver_all()
            done, _failed = services.deliver_all()
            if not done:
                time.sleep(0.05)
    finally:
        connection.close()


def webhooks(fx: Any, *, quick: bool) -> list[dict[str, Any]]:
    count = 1000 if quick else 10_000
    paced = 300 if quick else 2000
    servers = _receivers()
    urls = [f"http://127.0.0.1:{s.server_address[1]}/hooks" for s in servers]
    with override_settings(RELAIS_WEBHOOK_ALLOW_HTTP=True, RELAIS_WEBHOOK_ALLOW_PRIVATE=True):
        _cleanup()
        for url in urls:
            services.endpoint_create(
                url=url,
                event_types=["partner.status_changed"],
                owner=None,
                description=BENCH,
            )
        ids = list(Partner.objects.values_list("pk", flat=True)[:200]) or [
            PartnerFactory.create().pk
        ]
        _publish(ids, count)
        started = time.perf_counter()
        while outbox.deliver_all().delivered:  # the fan-out stage alone, for the breakdown
            pass
        fanned = time.perf_counter() - started
        delivered = _drain()
        took = time.perf_counter() - started
        bodies = [
            services.sender.body_of(p)
            for p in WebhookDelivery.objects.filter(endpoint__description=BENCH).values_list(
                "payload", flat=True
            )
        ]
        floor = _floor(urls, bodies)

        WebhookDelivery.objects.filter(endpoint__description=BENCH).delete()
        rate = delivered / took
        stop = threading.Event()
        worker = threading.Thread(target=_worker, args=(stop,))
        worker.start()
        pace = 2 / (rate / 2)  # seconds between events: each makes 2 deliveries, at half the rate
        paced_started = timezone.now()
        for n in range(paced):
            _publish(ids[n % len(ids) :], 1, 1)
            time.sleep(pace)
        while (
            WebhookDelivery.objects.filter(
                endpoint__description=BENCH, delivered_at__isnull=True
            ).exists()
            or WebhookDelivery.objects.filter(endpoint__description=BENCH).count() < 2 * paced
        ):
            time.sleep(0.1)
        stop.set()
        worker.join()
        delays = [
            (d - o).total_seconds() if d is not None else float("inf")
            for d, o in WebhookDelivery.objects.filter(
                endpoint__description=BENCH, occurred_at__gte=paced_started
            ).values_list("delivered_at", "occurred_at")
        ]
        _cleanup()
    for server in servers:
        server.shutdown()
        server.server_close()
    floor_rate = len(bodies) / floor
    p99 = percentile(delays, 0.99)
    return [
        result(
            "webhooks_throughput",
            value=rate,
            unit="deliveries/s",
            spread=(rate, rate),
            floor=floor_rate,
            ratio=floor_rate / rate,
            target="reported against the floor",
            met=None,
            events=count,
            deliveries=delivered,
            fan_out_s=round(fanned, 2),
            posting_s=round(took - fanned, 2),
            note="events published up front, then the worker's passes (the outbox's fan-out, "
            "then claim, sign, POST, record) until all are taken; fan_out_s and posting_s split "
            "the time; floor: the same POSTs from a plain loop",
        ),
        result(
            "webhooks_p99_delay",
            value=p99,
            unit="s",
            spread=(percentile(delays, 0.5), max(delays) if delays else 0.0),
            floor=None,
            ratio=None,
            target="≤ 2 s while the worker keeps up",
            met=p99 <= 2,
            events=paced,
            note="from the event's commit to its delivery, events published at half the "
            "throughput while a worker thread delivers (polling every 50 ms); spread: p50, max",
        ),
    ]
