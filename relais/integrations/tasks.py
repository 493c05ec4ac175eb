"""The webhook worker's task: woken after each commit that made deliveries."""

from __future__ import annotations

from django.tasks import task

from relais.integrations import services


@task()
def deliver_webhooks() -> str:
    """Deliver everything due. Safe to run twice or in parallel: each delivery is claimed
    before it is sent."""
    delivered, failed = services.deliver_all()
    return f"{delivered} delivered, {failed} failed"
