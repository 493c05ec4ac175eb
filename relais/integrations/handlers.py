"""The hooks ``core`` calls by position, registered in ``IntegrationsConfig.ready``: the handler
of each domain event of ``catalogue.SOURCES`` and the recurring sweep. Each hands its argument
by name to the service that does the work."""

from __future__ import annotations

from datetime import datetime

from relais.core import events
from relais.integrations import services


def on_domain_event(event: events.Event) -> None:
    """``core.outbox`` hands a handler its event by position."""
    services.webhooks_fan_out(event=event)


def sweep_job(now: datetime) -> str:
    """``core.scheduling`` calls a job with ``now`` by position."""
    return services.webhooks_sweep(now=now)


def prune_job(now: datetime) -> str:
    """The hourly job of the delivery log's retention."""
    return f"{services.deliveries_prune(now=now)} deliveries pruned"
