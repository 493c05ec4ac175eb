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
        self._count()
        self._schedule()
        self._jobs()
        self._listings()

    def _count(self) -> None:
        # The commission months follow the lines' own events (idempotent recomputes).
        from relais.commissions import counters
        from relais.commissions.events import CommissionLinesCreated, CommissionLinesMoved
        from relais.core import events
        from relais.leads import counters as leads_counters

        events.subscribe(CommissionLinesCreated, counters.on_lines_created)
        events.subscribe(CommissionLinesMoved, counters.on_lines_moved)
        # Rebuilt with the other counters (``manage.py counters_rebuild``, the demo seed, which
        # writes lines in bulk past the services); a lead's change alone changes no line.
        leads_counters.register(
            "commissions.months",
            recompute=lambda _ids: None,
            rebuild=counters.commission_months_rebuild,
        )

    def _listings(self) -> None:
        from relais.commissions.selectors import vigilance_expiring
        from relais.core.listings import add_queue

        add_queue(
            listing="partners",
            key="vigilance_expiring",
            label=_("Vigilance certificate expiring or expired"),
            where=vigilance_expiring,
        )

    def _jobs(self) -> None:
        from relais.commissions.services.runs import SEND_JOB
        from relais.commissions.tasks import run_send_job
        from relais.core import jobs

        jobs.register(SEND_JOB, run_send_job)

    def _schedule(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from relais.commissions.tasks import documents_due
        from relais.core import scheduling

        # Statements a dead worker left unmade; looked for as often as a job counts as stalled.
        every = timedelta(seconds=settings.RELAIS_STALLED_AFTER_SECONDS)
        scheduling.register("commissions.documents", every=every, job=documents_due)
