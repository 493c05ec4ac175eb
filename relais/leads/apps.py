from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "relais.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from datetime import timedelta

        from relais.core import scheduling
        from relais.leads import counters  # registers the day counters

        # Pages refresh the counters before reading them; this keeps that refresh small.
        scheduling.register("leads.counters", every=timedelta(minutes=2), job=counters.refresh_job)
