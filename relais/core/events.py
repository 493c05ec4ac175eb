"""Typed domain events: how a lower app sets off work in a higher one without importing it.

A service publishes ``events.publish(LeadWon(lead_id=...))``; a higher app registers its handler
in ``AppConfig.ready()`` with ``events.subscribe(LeadWon, handler)`` (``manage.py events
--handlers`` lists them all). Events are durable: ``publish`` writes one ``OutboxEvent`` row in
the caller's transaction, so the event exists exactly when the change it tells of does, and the
task worker hands it to each handler (``core.outbox``), retrying a failing one until it succeeds.
A handler never runs inside the request that published, and one handler failing never stops
another. Handlers must therefore be idempotent: a delivery may run twice (a worker killed after
the handler's work and before its ack).
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base class: subclasses are frozen dataclasses carrying ids, never model instances."""


Handler = Callable[[Any], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)
_event_types: dict[str, type[Event]] = {}
_by_name: dict[str, Handler] = {}
# Events published on this thread since the worker was last woken (see ``_wake``).
_unwoken = threading.local()
# The outbox row of the event a handler is running for: outbound webhooks name each event by it.
_current_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("event_id", default=None)


def current_event_id() -> int | None:
    """The id of the stored event being handed to the running handler (None outside one)."""
    return _current_id.get()


def dotted(thing: Any) -> str:
    """The name an event type or handler is stored under: stable across processes."""
    return f"{thing.__module__}.{thing.__qualname__}"


def subscribe(event_type: type[Event], handler: Handler) -> None:
    _event_types[dotted(event_type)] = event_type
    _by_name[dotted(handler)] = handler
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    """Take a handler off (tests that subscribe one of their own)."""
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def handlers_for(event_type: type[Event]) -> list[Handler]:
    return list(_handlers[event_type])


def handler_named(name: str) -> Handler | None:
    return _by_name.get(name)


def event_type_named(name: str) -> type[Event] | None:
    return _event_types.get(name)


def subscriptions() -> list[tuple[str, str]]:
    """Every (event type, handler) pair, by name: the one list of who reacts to what."""
    return sorted((dotted(kind), dotted(h)) for kind, hs in _handlers.items() for h in hs)


def publish(event: Event) -> None:
    """Record ``event`` in the current transaction (one INSERT); the worker delivers it after
    commit. A rolled-back transaction takes its events with it."""
    from relais.core.models import OutboxEvent

    OutboxEvent.objects.create(kind=dotted(type(event)), payload=dataclasses.asdict(event))
    _unwoken.count = getattr(_unwoken, "count", 0) + 1
    transaction.on_commit(_wake)


def _wake() -> None:
    """Ask the worker to deliver, once per commit however many events it carried: the first
    callback of a commit enqueues, the others find nothing unwoken. A transaction rolled back
    leaves its count behind, which costs at most one spare wake-up. A queue that cannot be
    reached loses nothing: the outbox sweep (``core.outbox``) delivers within its period."""
    if not getattr(_unwoken, "count", 0):
        return
    _unwoken.count = 0
    from relais.core.tasks import deliver_events

    try:
        deliver_events.enqueue()
    except Exception:  # the write has committed; the sweep delivers what this wake-up missed
        log.warning("could not wake the event worker; the outbox sweep will deliver", exc_info=True)
