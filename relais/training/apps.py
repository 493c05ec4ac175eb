from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training: modules, quizzes, certificates, and the modules required before working."""

    name = "relais.training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # Each part wires itself (recurring jobs, the gates of routing and activation, the
        # partner page's panel) in a setup module of its own.
        from relais.training import certificate_setup, gate_setup

        certificate_setup.register()
        gate_setup.register()
