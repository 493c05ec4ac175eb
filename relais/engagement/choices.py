"""The engagement app's kinds and states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    """Lifecycle segments: introducers by what they referred, resellers by their KPI lights."""

    CHAMPION = "champion", _("Champions")
    ACTIVE = "active", _("Active")
    OCCASIONAL = "occasional", _("Occasional")
    DORMANT = "dormant", _("Dormant")
    NEW = "new", _("New, never referred")
    NEVER = "never", _("Never referred")
    RESELLER_GREEN = "r_green", _("Resellers on the norms")
    RESELLER_AMBER = "r_amber", _("Resellers near the norms")
    RESELLER_RED = "r_red", _("Resellers off the norms")
    RESELLER_UNJUDGED = "r_unjudged", _("Resellers too new to judge")


INTRODUCER_SEGMENTS = (
    Segment.CHAMPION,
    Segment.ACTIVE,
    Segment.OCCASIONAL,
    Segment.DORMANT,
    Segment.NEW,
    Segment.NEVER,
)
RESELLER_SEGMENTS = (
    Segment.RESELLER_GREEN,
    Segment.RESELLER_AMBER,
    Segment.RESELLER_RED,
    Segment.RESELLER_UNJUDGED,
)


class Audience(models.TextChoices):
    SEGMENT = "segment", _("A segment")
    SAVED = "saved", _("A saved filter")
    LIST = "list", _("Partners picked by hand")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class RecipientState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    BOUNCED = "bounced", _("Bounced")
    HOLDOUT = "holdout", _("Held out")


class SkipReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SUPPRESSED = "suppressed", _("Address suppressed (bounce or complaint)")
    NO_EMAIL = "no_email", _("No e-mail address")


class Topic(models.TextChoices):
    """What a programme e-mail is about; a partner may refuse each one. Contractual and
    payment e-mails have no topic: nothing blocks them."""

    NEWS = "news", _("Programme news")
    CHALLENGES = "challenges", _("Challenges")
    DIGEST = "digest", _("Monthly digest")


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Complaint (marked as spam)")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class Trigger(models.TextChoices):
    JOINED = "joined", _("Joined N days ago")
    FIRST_LEAD = "first_lead", _("First lead")
    FIRST_PAYMENT = "first_payment", _("First payment")
    DORMANT = "dormant", _("Dormant for N days")
    KPI_BELOW = "kpi_below", _("A reseller's KPI below its norm")
    DIGEST = "digest", _("Monthly digest")
