"""What the certificate part of training registers when the app is ready: the recurring sweep
of expiry reminders, and the card of the partner's certificates on the partner page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from relais.core import scheduling
from relais.partners import extensions
from relais.partners.models import Partner
from relais.training.certificates import certificate_state, certificate_title
from relais.training.models import Certificate


def certificates_panel(partner: Partner) -> extensions.Panel | None:
    """The partner's certificates and their state, newest first; no card when there is none."""
    certificates = list(
        Certificate.objects.filter(partner=partner).select_related("module", "path")
    )
    if not certificates:
        return None
    rows = [
        {"certificate": c, "title": certificate_title(c), "state": certificate_state(c)}
        for c in certificates
    ]
    return extensions.Panel(
        template="training/certificate_panel.html", data={"partner": partner, "rows": rows}
    )


def register() -> None:
    from relais.training.reminders import reminders_job

    every = timedelta(minutes=settings.RELAIS_TRAINING_SWEEP_MINUTES)
    scheduling.register("training.reminders", every=every, job=reminders_job)
    extensions.add_panel(certificates_panel)
