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
