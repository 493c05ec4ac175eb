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
        from relais.core import scheduling
        from relais.engagement import counters, panels, segments
        from relais.leads import counters as leads_counters
        from relais.partners import extensions

        leads_counters.register(
            "engagement.partner_months", recompute=counters.recompute, rebuild=counters.rebuild
        )
        every = segments.sweep_every()
        scheduling.register("engagement.segments", every=every, job=segments.segments_job)
        extensions.add_panel(panels.segment_panel)
