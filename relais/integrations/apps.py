from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Integrations: signed outbound webhooks (Standard Webhooks) fed by the domain events."""

    name = "relais.integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from relais.core import events, scheduling
        from relais.integrations import catalogue, handlers

        for event_type in catalogue.SOURCES:
            events.subscribe(event_type, handlers.on_domain_event)
        every = timedelta(seconds=settings.RELAIS_WEBHOOK_SWEEP_SECONDS)
        scheduling.register("integrations.webhooks", every=every, job=handlers.sweep_job)
        scheduling.register(
            "integrations.webhook_log", every=timedelta(hours=1), job=handlers.prune_job
        )
