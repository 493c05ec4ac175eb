from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """Salespeople's shared network: accounts, their people, who knows whom and how well, account
    plans, introductions between colleagues, special operations and the internal bonus."""

    name = "relais.network"
    verbose_name = _("Salespeople's network")
