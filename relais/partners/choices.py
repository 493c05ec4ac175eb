from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    INTRODUCER = "introducer", _("Introducer")
    RESELLER = "reseller", _("Reseller")


class LegalForm(models.TextChoices):
    INDIVIDUAL = "individual", _("Private individual")
    MICRO = "micro", _("Micro-entrepreneur")
    COMPANY = "company", _("Company")


class TaxRegime(models.TextChoices):
    """As declared by the partner; decides statement vs invoice and the VAT mention."""

    NON_PROFESSIONAL = "bnc_non_pro", _("Occasional income (BNC non professionnel, 2042-C-PRO)")
    VAT_FRANCHISE = "vat_franchise", _("VAT franchise (art. 293 B du CGI)")
    VAT_LIABLE = "vat_liable", _("Liable to VAT")


class PartnerStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")
