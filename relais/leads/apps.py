from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "relais.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from relais.core import scheduling
        from relais.leads import counters, imports, notices  # counters: the day counters

        # Pages refresh the counters before reading them; this keeps that refresh small.
        scheduling.register("leads.counters", every=timedelta(minutes=2), job=counters.refresh_job)
        every = timedelta(minutes=settings.RELAIS_NOTICE_SWEEP_MINUTES)
        scheduling.register("leads.notices", every=every, job=notices.send_due)
        # An import whose worker died goes on in another one (core/resumable.py).
        every = timedelta(seconds=settings.RELAIS_RESUME_SWEEP_SECONDS)
        scheduling.register("leads.imports", every=every, job=imports.requeue_stalled)
