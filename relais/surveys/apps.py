from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Customers as ambassadors: NPS surveys, follow-up of detractors, promoters invited."""

    name = "relais.surveys"
    verbose_name = _("Customer surveys")

    def ready(self) -> None:
        from relais.surveys import setup

        setup.register()
