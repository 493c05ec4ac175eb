"""What the certificate part of training registers when the app is ready: the recurring sweep
of expiry reminders, and the card of the partner's certificates (and of the required modules it
misses) on the partner page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from relais.core import scheduling
from relais.engagement import metrics
from relais.partners import extensions
from relais.partners.models import Partner
from relais.training.certificate_selectors import partners_with_trainings
from relais.training.certificates import certificate_state, certificate_title
from relais.training.models import Certificate
from relais.training.progress import held_from, missing_required


def certificates_panel(partner: Partner) -> extensions.Panel | None:
    """The partner's certificates and their state, newest first, and the required modules it
    misses (held back now, or until when it may work without them); no card when there is
    neither."""
    certificates = list(
        Certificate.objects.filter(partner=partner).select_related("module", "path")
    )
    missing = missing_required(partner)
    if not certificates and not missing:
        return None
    rows = [
        {"certificate": c, "title": certificate_title(c), "state": certificate_state(c)}
        for c in certificates
    ]
    since = held_from(partner.status, partner.created_at, missing) if missing else None
    grace = since is not None and since > timezone.now()
    return extensions.Panel(
        template="training/certificate_panel.html",
        data={
            "partner": partner,
            "rows": rows,
            "missing": missing,
            "until": since if grace else None,
        },
    )


def register() -> None:
    from relais.training.reminders import reminders_job

    every = timedelta(minutes=settings.RELAIS_TRAINING_SWEEP_MINUTES)
    scheduling.register("training.reminders", every=every, job=reminders_job)
    extensions.add_panel(certificates_panel)
    metrics.register(
        metrics.Metric(
            "trainings",
            gettext_lazy("At least this many trainings completed (in the period, if given)"),
            partners_with_trainings,
        )
    )
