from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.import_models import ImportState


class Channel(models.TextChoices):
    PORTAL = "portal", _("Partner portal")
    REFERRAL_LINK = "referral_link", _("Referral link")
    API = "api", _("API")
    IMPORT = "import", _("File import")
    EMAIL = "email", _("Inbound e-mail")
    STAFF = "staff", _("Staff entry")
    # A colleague's introduction (the network app): brought by one salesperson, worked by another.
    INTRODUCTION = "introduction", _("Internal introduction")


class ProspectKind(models.TextChoices):
    PERSON = "person", _("Private person")
    COMPANY = "company", _("Company")


class LeadStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    QUALIFIED = "qualified", _("Qualified")
    REJECTED = "rejected", _("Rejected")
    ASSIGNED = "assigned", _("Assigned")
    OPENED = "opened", _("Opened")
    IN_PROGRESS = "in_progress", _("In progress")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class RejectionReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    INVALID = "invalid", _("Invalid")
    SPAM = "spam", _("Spam")


class ReviewReason(models.TextChoices):
    """Why a lead waits for a manager before it goes further."""

    NONE = "", _("None")
    CONFLICT = "conflict", _("Claimed by two partners")
    SELF_REFERRAL = "self_referral", _("Possible self-referral")
    SUPPRESSED = "suppressed", _("Prospect on the suppression list")


class KeyKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SIREN = "siren", _("SIREN")
    COMPANY = "company", _("Company name and postcode")


class SoldBy(models.TextChoices):
    """Who sells a product line: its leads go to resellers or to our salespeople."""

    RESELLERS = "resellers", _("Resellers")
    SALESPEOPLE = "salespeople", _("Our salespeople")


LeadImportState = ImportState  # every import's states (``core.import_models``)
