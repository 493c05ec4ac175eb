from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "relais.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        # The dashboard's lead months are a leads counter; leads never imports reporting.
        from relais.leads import counters as leads_counters
        from relais.reporting import counters

        leads_counters.register(
            "reporting.lead_months", recompute=counters.recompute, rebuild=counters.rebuild
        )
        from relais.reporting.reports import reports_register

        reports_register()
