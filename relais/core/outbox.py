"""Delivery of the durable domain events (``core.events``): the worker's side of the outbox.

``deliver_due`` fans each new event out into one ``EventDelivery`` per subscribed handler, then
runs every delivery that is due. A delivery is claimed by a compare-and-set on its row (the same
statement on SQLite and PostgreSQL, so two workers never run it at once) that pushes
``next_attempt_at`` one lease ahead: a worker killed while it runs a handler leaves a claim that
lapses, and the next pass runs the delivery again. Each handler runs in its own transaction; its
failure is recorded (attempts, last error) and retried with backoff, and touches no other
delivery. An event is marked delivered when all of its deliveries are done.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from relais.core import events
from relais.core.models import EventDelivery, OutboxEvent

log = logging.getLogger(__name__)

BATCH = 200
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Pass:
    """What one delivery pass did."""

    delivered: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.failed} failed"


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour: a handler broken by a bug keeps
    being retried (and shown by ``manage.py events``) without flooding the worker."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def lease() -> timedelta:
    """How long a claimed delivery belongs to its worker: a worker silent longer is dead."""
    return timedelta(seconds=settings.RELAIS_STALLED_AFTER_SECONDS)


def fan_out(now: datetime | None = None) -> int:
    """Give each undelivered event one delivery row per subscribed handler (idempotent: the
    unique (event, handler) constraint skips those made already). An event nobody subscribes
    to is delivered at once."""
    now = now or timezone.now()
    made = 0
    pending = OutboxEvent.objects.filter(delivered_at__isnull=True, deliveries__isnull=True)
    for event in pending.order_by("pk")[: BATCH * 5]:
        kind = events.event_type_named(event.kind)
        names = [events.dotted(h) for h in events.handlers_for(kind)] if kind else []
        if not names:
            OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=now)
            continue
        rows = [EventDelivery(event=event, handler=name, next_attempt_at=now) for name in names]
        EventDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        made += len(rows)
    return made


def _claim(delivery: EventDelivery, now: datetime) -> bool:
    """Take ``delivery`` for this worker, unless another one took it first."""
    taken = EventDelivery.objects.filter(
        pk=delivery.pk, done_at__isnull=True, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + lease())
    return taken == 1


def _ack(delivery: EventDelivery) -> None:
    EventDelivery.objects.filter(pk=delivery.pk).update(done_at=timezone.now(), last_error="")


def _record_failure(delivery: EventDelivery, attempts: int, error: str) -> None:
    retry_at = timezone.now() + backoff(attempts)
    EventDelivery.objects.filter(pk=delivery.pk).update(last_error=error, next_attempt_at=retry_at)


def _run(delivery: EventDelivery) -> bool:
    """Run one claimed delivery; True when its handler succeeded."""
    handler = events.handler_named(delivery.handler)
    kind = events.event_type_named(delivery.event.kind)
    attempts = delivery.attempts + 1
    if handler is None or kind is None:  # unsubscribed since: kept, shown as stuck, replayable
        _record_failure(delivery, attempts, f"no handler {delivery.handler} for {delivery.event}")
        return False
    running = events._current_id.set(delivery.event_id)
    try:
        with transaction.atomic():
            handler(kind(**delivery.event.payload))
    except Exception as exc:  # any failure of a handler is recorded and retried, never raised
        log.warning("event delivery %s failed (attempt %s)", delivery, attempts, exc_info=True)
        _record_failure(delivery, attempts, "".join(traceback.format_exception_only(exc)).strip())
        return False
    finally:
        events._current_id.reset(running)
    _ack(delivery)
    return True


def _finish_events(event_ids: set[int], now: datetime) -> None:
    undone = EventDelivery.objects.filter(event_id__in=event_ids, done_at__isnull=True)
    finished = OutboxEvent.objects.filter(pk__in=event_ids).exclude(
        pk__in=undone.values("event_id")
    )
    finished.update(delivered_at=now)


def deliver_due(now: datetime | None = None, *, limit: int = BATCH) -> Pass:
    """One pass: fan out the new events, then run up to ``limit`` due deliveries, oldest first."""
    now = now or timezone.now()
    fan_out(now)
    due = EventDelivery.objects.filter(done_at__isnull=True, next_attempt_at__lte=now)
    delivered = failed = 0
    touched: set[int] = set()
    for delivery in due.select_related("event").order_by("pk")[:limit]:
        if not _claim(delivery, now):
            continue
        touched.add(delivery.event_id)
        if _run(delivery):
            delivered += 1
        else:
            failed += 1
    _finish_events(touched, timezone.now())
    _finish_stranded(timezone.now())
    return Pass(delivered, failed)


def _finish_stranded(now: datetime) -> None:
    """Mark the events whose every delivery is done but which were never marked: the worker
    that acked the last one was killed before its pass marked the event (one query; the
    undelivered events are few)."""
    undone = EventDelivery.objects.filter(done_at__isnull=True).values("event_id")
    stranded = OutboxEvent.objects.filter(delivered_at__isnull=True, deliveries__isnull=False)
    stranded.exclude(pk__in=undone).distinct().update(delivered_at=now)


def deliver_all(now: datetime | None = None) -> Pass:
    """Passes until nothing due is left (or only failures wait for their backoff)."""
    total = Pass()
    while True:
        one = deliver_due(now)
        total = Pass(total.delivered + one.delivered, total.failed + one.failed)
        if one.delivered + one.failed < BATCH:
            return total


def stuck(now: datetime | None = None) -> list[EventDelivery]:
    """Deliveries that failed at least once and are not done yet, oldest first."""
    undone = EventDelivery.objects.filter(done_at__isnull=True, attempts__gt=0)
    return list(undone.exclude(last_error="").select_related("event").order_by("pk"))


def replay(delivery_ids: list[int] | None = None) -> int:
    """Make stuck deliveries (all of them, or the given ones) due now; the caller then delivers."""
    undone = EventDelivery.objects.filter(done_at__isnull=True)
    if delivery_ids is not None:
        undone = undone.filter(pk__in=delivery_ids)
    return undone.update(next_attempt_at=timezone.now())


def oldest_undelivered_age(now: datetime | None = None) -> timedelta | None:
    """How long the oldest event still waiting for a handler has waited (None: none waits)."""
    now = now or timezone.now()
    oldest = OutboxEvent.objects.filter(delivered_at__isnull=True).aggregate(at=Min("created_at"))
    return None if oldest["at"] is None else now - oldest["at"]


def sweep(now: datetime) -> str:
    """The scheduled pass: delivers what no wake-up reached (queue down, retries come due)."""
    return str(deliver_all(now))
