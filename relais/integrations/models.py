"""Outbound webhooks: the endpoints managers register and each event's delivery to each one."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.integrations.choices import CrmKind, CrmPushOutcome, DeliveryState


class WebhookEndpoint(models.Model):
    """A URL of the company's (its CRM, its data warehouse) that receives the events it chose,
    signed with its secret (Standard Webhooks). During a rotation the previous secret signs too,
    until ``previous_secret_until``, so the receiver can switch over without losing a message."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)  # codes of the catalogue
    enabled = models.BooleanField(_("enabled"), default=True)
    secret = models.CharField(max_length=100)  # whsec_ + base64 of 24 random bytes
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    # Set at the first failure after a success, cleared by the next success: 5 days of it and
    # the endpoint is disabled (its owner told once, ``owner_told_at``).
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    owner_told_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description or self.url

    def secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets that sign now: the current one, and the previous one in its overlap."""
        moment = now or timezone.now()
        until = self.previous_secret_until
        if self.previous_secret and until is not None and moment < until:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def wants(self, code: str) -> bool:
        return self.enabled and code in self.event_types


class WebhookDelivery(models.Model):
    """One event for one endpoint: its signed payload, tried until the receiver takes it. The
    ``event_id`` is the ``webhook-id`` header, the same on every attempt and replay, so a
    receiver that got it twice (delivery is at least once) can tell."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(_("event id"), max_length=60)
    event_type = models.CharField(_("event type"), max_length=60)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim = models.CharField(max_length=16, blank=True)  # the pass that took it last
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    # When the event it carries was committed: the delay to delivery is measured from here.
    occurred_at = models.DateTimeField(_("occurred"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")
        ]
        indexes = [
            # The worker reads only the undone ones: a small index however long the log grows.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "retrying"]),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"


class CrmIntegration(models.Model):
    """A CRM that pushes its deals' statuses to their leads: its key (the leads' ``crm_source``),
    its kind (which stage names it speaks) and the secret its inbound webhooks are signed with
    (Standard Webhooks, as ours). A push through it reaches only the leads linked under its key."""

    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(_("key"), max_length=40, unique=True)
    kind = models.CharField(_("CRM"), max_length=12, choices=CrmKind.choices)
    secret = models.CharField(max_length=100)  # whsec_ + base64 of 24 random bytes
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("CRM integration")
        verbose_name_plural = _("CRM integrations")

    def __str__(self) -> str:
        return self.name


class CrmPush(models.Model):
    """One push a CRM sent (inbound webhook or API), kept for the integration's page: when,
    which deal and stage, and what became of it (the lead moved, unchanged, or refused and why)."""

    integration = models.ForeignKey(CrmIntegration, on_delete=models.CASCADE, related_name="pushes")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    deal_id = models.CharField(_("deal"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CrmPushOutcome.choices)
    code = models.CharField(max_length=40, blank=True)  # the refusal's code
    message = models.CharField(_("message"), max_length=300, blank=True)
    lead_id = models.IntegerField(null=True, blank=True)  # the lead it reached, if any

    class Meta:
        verbose_name = _("CRM push")
        verbose_name_plural = _("CRM pushes")
        indexes = [
            models.Index(fields=["integration", "-received_at"], name="crm_push_log"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.stage} → {self.outcome}"
