"""The training app's kinds and states."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ModuleAudience(models.TextChoices):
    """Which partners a module or a path is for (and, for a requirement, who must have it)."""

    ALL = "all", _("Every partner")
    INTRODUCER = "introducer", _("Introducers")
    RESELLER = "reseller", _("Resellers")


class Validity(models.IntegerChoices):
    """How long a certificate is valid: none, or whole years."""

    FOREVER = 0, _("No expiry")
    ONE_YEAR = 1, _("1 year")
    TWO_YEARS = 2, _("2 years")
    THREE_YEARS = 3, _("3 years")


class AttemptState(models.TextChoices):
    STARTED = "started", _("In progress")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class CertificateState(models.TextChoices):
    """What the public verification page says (and nothing else)."""

    # In context: "Valid" alone is also the validity column of a commission plan's rules.
    VALID = "valid", pgettext_lazy("certificate state", "Valid")
    EXPIRED = "expired", pgettext_lazy("certificate state", "Expired")
    REVOKED = "revoked", pgettext_lazy("certificate state", "Revoked")
