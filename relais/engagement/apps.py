from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    """Network animation: segments, campaigns, automations, and their measured effect."""

    name = "relais.engagement"
    verbose_name = _("Network animation")

    def ready(self) -> None:
        # Each part wires itself (counters, recurring jobs, event handlers, partner page panels)
        # in a setup module of its own.
        from relais.engagement import automation_setup, campaign_setup, webhook_setup

        self._segments()
        campaign_setup.register()
        automation_setup.register()
        webhook_setup.register()

    def _segments(self) -> None:
        """The segments' counter, their daily judgement and the partner page's panel."""
