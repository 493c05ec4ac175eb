"""Network animation: who is in which segment, the e-mails sent to them (campaigns and
automations), what each partner agreed to receive, and the addresses nobody may write to."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.resumable import Resumable
from relais.engagement.choices import (
    Audience,
    CampaignState,
    RecipientState,
    Segment,
    SkipReason,
    SuppressionReason,
    Topic,
    Trigger,
)
from relais.partners.models import Partner


class PartnerMonth(models.Model):
    """An introducer's leads per month of submission (a ``leads.counters`` counter): what the
    segments are judged on, so judging 50,000 introducers never scans the leads."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    submitted = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    won_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="partner_month_once")
        ]
        indexes = [models.Index(fields=["month", "partner"])]

    def __str__(self) -> str:
        return f"{self.partner_id} · {self.month:%Y-%m}"


class PartnerSegment(models.Model):
    """Each live partner's segment today, and since when; written only by the segment job."""

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, primary_key=True, related_name="segment"
    )
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices)
    since = models.DateField(_("in this segment since"))
    leads_12m = models.PositiveIntegerField(_("leads in the last 12 months"), default=0)
    won_12m = models.PositiveIntegerField(_("won in the last 12 months"), default=0)
    last_lead_month = models.DateField(_("last lead"), null=True, blank=True)
    judged_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["segment", "partner"])]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.segment}"


class SegmentMove(models.Model):
    """A partner leaving one segment for another (who went dormant, who woke up): the
    month-on-month movements are counted from these."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    moved_on = models.DateField()
    from_segment = models.CharField(max_length=12, choices=Segment.choices, blank=True)
    to_segment = models.CharField(max_length=12, choices=Segment.choices)

    class Meta:
        indexes = [models.Index(fields=["moved_on", "from_segment", "to_segment"])]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.from_segment} → {self.to_segment}"


class SavedSegment(models.Model):
    """A custom segment: a named filter over the partners (``filters`` holds the form's
    cleaned values, JSON-serialisable), counted live while the manager edits it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    filters = models.JSONField(_("filters"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved segment")
        verbose_name_plural = _("saved segments")

    def __str__(self) -> str:
        return self.name


class MessageTemplate(models.Model):
    """An e-mail in French and English with merge fields (Django template syntax, limited to
    the fields ``engagement.merge`` lists); checked when saved."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices, default=Topic.NEWS)
    subject_fr = models.CharField(_("subject (French)"), max_length=200)
    body_fr = models.TextField(_("body (French)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")

    def __str__(self) -> str:
        return self.name


class Campaign(Resumable):
    """An e-mail to an audience, sent by the task worker (``core.resumable``: a worker killed
    mid-way is taken over after the last recipient it committed)."""

    name = models.CharField(_("name"), max_length=160)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.PROTECT, related_name="campaigns"
    )
    audience = models.CharField(
        _("audience"), max_length=8, choices=Audience.choices, default=Audience.SEGMENT
    )
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, blank=True)
    saved_segment = models.ForeignKey(
        SavedSegment, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    picked = models.ManyToManyField(Partner, blank=True, related_name="+")
    holdout_share = models.DecimalField(
        _("share held out"), max_digits=4, decimal_places=3, default=Decimal("0.100")
    )
    holdout_seed = models.PositiveIntegerField(default=0)
    rate_per_minute = models.PositiveIntegerField(_("e-mails a minute at most"), default=600)
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Filled in once every recipient row is written: the sending phase may begin.
    queued_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["state", "scheduled_for"])]

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    """One partner of a campaign's audience and what became of their e-mail. The holdout's
    rows are written too (state ``holdout``): the effect report compares both groups."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, default="fr")
    state = models.CharField(
        max_length=10, choices=RecipientState.choices, default=RecipientState.QUEUED
    )
    skip_reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "partner"], name="recipient_once")
        ]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["partner", "campaign"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.partner_id}: {self.state}"


class Preference(models.Model):
    """What a partner agreed to receive, and in which language. No row: everything, in
    French. Contractual and payment e-mails never read it."""

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, primary_key=True, related_name="mail_preference"
    )
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    news = models.BooleanField(_("programme news"), default=True)
    challenges = models.BooleanField(_("challenges"), default=True)
    digest = models.BooleanField(_("monthly digest"), default=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed from everything"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.language}"


class Suppression(models.Model):
    """An address no programme e-mail may go to: it bounced hard, complained, or unsubscribed."""

    email = models.EmailField(_("e-mail"), unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason.choices)
    at = models.DateTimeField(_("since"))
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return self.email


class Automation(models.Model):
    """A template sent when something happens to a partner, once per partner and occasion."""

    name = models.CharField(_("name"), max_length=120)
    trigger = models.CharField(_("when"), max_length=14, choices=Trigger.choices)
    days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.PROTECT, related_name="automations"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("automation")
        verbose_name_plural = _("automations")

    def __str__(self) -> str:
        return self.name


class AutomationSend(models.Model):
    """An automation fired for a partner on an occasion ("" for once ever, "2026-11" for a
    month's digest): the unique triple makes every rerun of the worker skip it."""

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="sends")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=20, blank=True)
    state = models.CharField(
        max_length=10, choices=RecipientState.choices, default=RecipientState.SENDING
    )
    skip_reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["automation", "partner", "occasion"], name="automation_once_per_occasion"
            )
        ]
        indexes = [models.Index(fields=["partner", "at"])]

    def __str__(self) -> str:
        return f"{self.automation_id} → {self.partner_id} ({self.occasion})"


LIVE_CAMPAIGN = Q(state__in=(CampaignState.QUEUED, CampaignState.RUNNING))
