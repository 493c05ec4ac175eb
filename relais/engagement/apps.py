from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    """Network animation: segments, campaigns, automations, and their measured effect."""

    name = "relais.engagement"
    verbose_name = _("Network animation")
