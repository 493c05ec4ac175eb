"""Named selections a list page offers without knowing who defines them: routing adds "past
their SLA" to the lead list, partners and commissions add "contract expiring" and "vigilance
certificate expiring" to the partner list. The dashboard's alerts link to ``?queue=<key>`` so
that a count and the list behind it are one definition (the apps above register in their
``AppConfig.ready``; the list's app never imports them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise
    where: Callable[[], Q]  # evaluated per request: a cut-off can depend on today


_queues: dict[str, dict[str, Queue]] = {}


def add_queue(*, listing: str, key: str, label: str | Promise, where: Callable[[], Q]) -> None:
    """Offer ``key`` on the list ``listing`` ("leads", "partners"); re-registering replaces."""
    _queues.setdefault(listing, {})[key] = Queue(key, label, where)


def queues(listing: str) -> list[Queue]:
    return list(_queues.get(listing, {}).values())


def queue_where(listing: str, key: str) -> Q | None:
    """The condition of a registered queue, or None for a key nobody registered."""
    found = _queues.get(listing, {}).get(key)
    return found.where() if found else None
