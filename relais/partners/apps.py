from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "relais.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from relais.core import scheduling
        from relais.partners.services import imports, notices

        # An import, or a new version's e-mailing, whose worker died goes on in another one
        # (core/resumable.py), as often as the lead imports are looked at.
        every = timedelta(seconds=settings.RELAIS_RESUME_SWEEP_SECONDS)
        scheduling.register("partners.imports", every=every, job=imports.requeue_stalled)
        scheduling.register("partners.notices", every=every, job=notices.requeue_stalled)
        self._listings()

    def _listings(self) -> None:
        from relais.core.listings import add_queue
        from relais.partners.selectors import contract_expiring

        label = _("Contract expiring or expired")
        add_queue(listing="partners", key="contract_expiring", label=label, where=contract_expiring)
