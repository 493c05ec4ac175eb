from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """Salespeople's shared network: accounts, their people, who knows whom and how well, account
    plans, introductions between colleagues, special operations and the internal bonus."""

    name = "relais.network"
    verbose_name = _("Salespeople's network")

    def ready(self) -> None:
        # A won lead an introduction brought earns its owner the internal bonus; the leads app
        # never imports the network.
        from relais.core import events
        from relais.leads.events import LeadWon
        from relais.network.introductions import on_lead_won

        events.subscribe(LeadWon, on_lead_won)
        # An import whose worker died goes on in another one (core/resumable.py).
        from datetime import timedelta

        from django.conf import settings

        from relais.core import scheduling
        from relais.network import imports

        every = timedelta(seconds=settings.RELAIS_RESUME_SWEEP_SECONDS)
        scheduling.register("network.imports", every=every, job=imports.requeue_stalled)
