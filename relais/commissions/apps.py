from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "relais.commissions"
    label = "commissions"
    verbose_name = _("Commissions")

    def ready(self) -> None:
        # Commissions react to the leads app's events; leads never imports commissions.
        from relais.commissions import handlers
        from relais.core import events
        from relais.leads.events import DealCollected, DealRefunded, LeadQualified, LeadWon

        events.subscribe(LeadQualified, handlers.on_lead_qualified)
        events.subscribe(LeadWon, handlers.on_lead_won)
        events.subscribe(DealCollected, handlers.on_deal_collected)
        events.subscribe(DealRefunded, handlers.on_deal_refunded)
