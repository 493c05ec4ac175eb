from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "relais.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        # Routing reacts to the leads app's events; leads never imports routing.
        from relais.core import events
        from relais.leads.events import LeadQualified
        from relais.routing.handlers import on_lead_qualified

        events.subscribe(LeadQualified, on_lead_qualified)
