"""What the automation part of engagement registers when the app is ready: the recurring sweep
that sends the automations and the monthly digest (``engagement.automations``), and the
automatic e-mails a partner received on their page's timeline."""

from datetime import timedelta

from django.conf import settings


def register() -> None:
    """The sweep, every ``RELAIS_AUTOMATION_SWEEP_MINUTES`` (each automation fires once per
    partner and occasion, so a sweep more often only sends sooner)."""
    from relais.core import scheduling
    from relais.engagement import automations
    from relais.partners import extensions

    every = timedelta(minutes=settings.RELAIS_AUTOMATION_SWEEP_MINUTES)
    scheduling.register("engagement.automations", every=every, job=automations.automations_job)
    extensions.add_timeline_source(automations.automations_received)
