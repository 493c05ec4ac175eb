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
        # The demo's scheduled report; the demo may not import reporting (same layer).
        from relais.core import demo_hooks
        from relais.reporting.demo_seed import demo_report_seed

        demo_hooks.register("reporting.report", demo_report_seed)
