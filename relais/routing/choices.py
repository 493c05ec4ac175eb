from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentEnd(models.TextChoices):
    """Why an assignment ended (blank while it runs)."""

    DECLINED = "declined", _("Declined")
    REASSIGNED = "reassigned", _("Reassigned by a manager")
    EXPIRED = "expired", _("Not opened in time")


class SlaEventKind(models.TextChoices):
    OPEN_REMINDER = "open_reminder", _("Reminder: not opened")
    EXPIRED = "expired", _("Reassigned: not opened in time")
    STATUS_REMINDER = "status_reminder", _("Reminder: no status declared")
    ESCALATED = "escalated", _("Escalated: not closed")


class ReviewProposal(models.TextChoices):
    """What the yearly review proposes for a reseller."""

    KEEP = "keep", _("Keep")
    COACH = "coach", _("Coach")
    PAUSE = "pause", _("Pause")
    REMOVE = "remove", _("Remove")


class AssigneeKind(models.TextChoices):
    """Who a KPI month counts for: a reseller or one of our salespeople."""

    RESELLER = "reseller", _("Reseller")
    SALESPERSON = "salesperson", _("Salesperson")


class CoverageRequestStatus(models.TextChoices):
    """Where a reseller's request to change what it takes stands: a manager decides."""

    PENDING = "pending", _("Waiting for a manager")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
