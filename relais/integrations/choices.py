from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryState(models.TextChoices):
    """A delivery waits for its first attempt, waits for a retry after failing, was taken by the
    receiver (a 2xx), or failed for good (retries used up, 410 Gone, endpoint disabled)."""

    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class CrmKind(models.TextChoices):
    """Which CRM pushes deals, for the names of its deal stages (``integrations.crm.STAGES``)."""

    HUBSPOT = "hubspot", "HubSpot"
    PIPEDRIVE = "pipedrive", "Pipedrive"
    OTHER = "other", _("Other (Relais statuses)")


class CrmPushOutcome(models.TextChoices):
    """What became of a CRM's push: the lead moved, it already stood so (a repeat), or the push
    was refused (bad signature, unknown deal or stage, illegal move; the reason is kept)."""

    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("Already so")
    REFUSED = "refused", _("Refused")
