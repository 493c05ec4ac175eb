"""The core's tasks: delivering the durable domain events (see ``core.outbox``)."""

from __future__ import annotations

from django.tasks import task

from relais.core import outbox


@task()
def deliver_events() -> str:
    """Woken after each commit that published events: deliver everything due. Safe to run
    twice or in parallel: each delivery is claimed before its handler runs."""
    return str(outbox.deliver_all())
