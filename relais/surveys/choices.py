"""Statuses and kinds of the surveys app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerSource(models.TextChoices):
    WON_LEAD = "won_lead", _("Won lead")
    IMPORT = "import", _("Import")


class SendState(models.TextChoices):
    """A survey e-mail (or its reminder): queued, handed to the server, sent or not."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Category(models.TextChoices):
    """The three NPS groups of a score: 0–6, 7–8, 9–10."""

    DETRACTOR = "detractor", _("Detractor")
    PASSIVE = "passive", _("Passive")
    PROMOTER = "promoter", _("Promoter")


def category_of(score: int) -> Category:
    if score >= 9:
        return Category.PROMOTER
    if score >= 7:
        return Category.PASSIVE
    return Category.DETRACTOR


class Dimension(models.TextChoices):
    """What a counter row is kept by (besides the month)."""

    ALL = "all", _("All")
    PRODUCT = "product", _("Product")
    DEPARTEMENT = "departement", _("Département")
    RESELLER = "reseller", _("Reseller")
    SALESPERSON = "salesperson", _("Salesperson")
