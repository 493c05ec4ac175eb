"""Typed domain events: how a lower app sets off work in a higher one without importing it.

A service publishes ``events.publish(LeadWon(lead_id=...))``; a higher app registers its handler
in ``AppConfig.ready()`` with ``events.subscribe(LeadWon, handler)``. Handlers run after the
current transaction commits, so they never see (or act on) a rolled-back write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class Event:
    """Base class: subclasses are frozen dataclasses carrying ids, never model instances."""


Handler = Callable[[Any], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[Event], handler: Handler) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def handlers_for(event_type: type[Event]) -> list[Handler]:
    return list(_handlers[event_type])


def publish(event: Event) -> None:
    for handler in handlers_for(type(event)):
        transaction.on_commit(lambda h=handler: h(event))  # type: ignore[misc]
