from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    """Challenges: personal SMART targets, progress from the leads' events, leaderboards."""

    name = "relais.challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        from relais.challenges import communication, progress, results

        progress.register()
        communication.register()
        results.register()

        from relais.challenges.rewards import wiring

        wiring.register()
