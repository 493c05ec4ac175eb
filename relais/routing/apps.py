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
        self._schedule()
        self._count()
        self._jobs()
        self._listings()

    def _listings(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from relais.core.listings import add_queue
        from relais.routing.selectors import sla_late

        add_queue(listing="leads", key="late", label=_("Past their SLA"), where=sla_late)

    def _jobs(self) -> None:
        from relais.core import jobs
        from relais.routing.exports import review_pdf_job

        jobs.register("routing.review_pdf", review_pdf_job)

    def _count(self) -> None:
        from relais.leads import counters as leads_counters
        from relais.routing import counters

        leads_counters.register(
            "routing.kpi_months", recompute=counters.recompute, rebuild=counters.rebuild
        )

    def _schedule(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from relais.core import scheduling
        from relais.routing.sla import sla_sweep

        every = timedelta(minutes=settings.RELAIS_SLA_SWEEP_MINUTES)
        scheduling.register("routing.sla", every=every, job=sla_sweep)
