from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryKind(models.TextChoices):
    DEPARTEMENT = "departement", _("Département")
    COLLECTIVITE = "collectivite", _("Overseas collectivity")
