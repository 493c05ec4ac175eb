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


class Decision(models.TextChoices):
    PENDING = "pending", _("To decide")
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    NEEDS_INFO = "needs_info", _("Needs information")


class DocumentKind(models.TextChoices):
    INTRODUCER_CONTRACT = "introducer_contract", _("Introducer contract")
    RESELLER_AGREEMENT = "reseller_agreement", _("Reseller agreement")
    SELF_BILLING_MANDATE = "self_billing_mandate", _("Self-billing mandate")
    COI_POLICY = "coi_policy", _("Conflict-of-interest policy")
    PROGRAMME_RULES = "programme_rules", _("Programme rules")


class ConflictStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    MITIGATED = "mitigated", _("Accepted with mitigation")
    REFUSED = "refused", _("Refused")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    NEGOTIATING = "negotiating", _("Negotiating")
    RESOLVED = "resolved", _("Resolved")
    ABANDONED = "abandoned", _("Abandoned")


class ImportMode(models.TextChoices):
    VALID_ONLY = "valid_only", _("Import the valid rows, report the others")
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: import only if every row is valid")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class VersionNotificationState(models.TextChoices):
    """A new version's e-mailing (``VersionNotification``), a ``core.resumable`` job."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
