"""The reporting counters: read models only, recomputed from the leads (``leads.counters``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.reporting.choices import DeliveryState, Frequency


class LeadMonth(models.Model):
    """Leads submitted in one month (Paris time) by channel, département, product and the kind
    of partner who brought them, with how far they went: the dashboard's and the map's source,
    so that filtering a million leads by région or product sums a few thousand rows instead.

    A cohort: a lead counts as qualified, assigned, opened or won in its month of submission,
    once it has reached that step (its step's date is set), whatever its status now."""

    month = models.DateField()
    channel = models.CharField(max_length=16)
    departement = models.CharField(max_length=3, blank=True)  # "" outside the territory
    category = models.BigIntegerField(default=0)  # the product's id, 0 for none
    partner_kind = models.CharField(max_length=16, blank=True)  # "" when no partner brought it
    submitted = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)
    assigned = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    won_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "channel", "departement", "category", "partner_kind"],
                name="lead_month_once",
            )
        ]
        # A dashboard filtered by région or département reads a few départements' months: the
        # unique index leads with the month, so without this one it reads every département.
        indexes = [models.Index(fields=["departement", "month"], name="lead_month_departement")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel} {self.departement}: {self.submitted}"


class ReportSubscription(models.Model):
    """A scheduled report: the dashboard under its filters (the querystring the dashboard's
    address holds), sent each week, month or quarter with a subject and message of the
    manager's, its PDF and XLSX attached."""

    name = models.CharField(_("name"), max_length=120)
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    filters = models.CharField(_("filters"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")

    def __str__(self) -> str:
        return self.name


class ReportRecipient(models.Model):
    """Who receives a report: a user of the product (confirmed: they log in with that address)
    or an outside address, which receives nothing until its owner confirms by the signed link
    mailed to it. ``unsubscribed_at`` set by the unsubscribe link of each mail."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("e-mail"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "email"], name="report_recipient_once")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def receives(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class ReportSend(models.Model):
    """One period's report of a subscription, written once (the unique pair) with its copies,
    in one transaction: however often the worker runs, a period is sent once."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="sends"
    )
    period = models.DateField()  # the period's first day (Paris time)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period"], name="report_send_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.period}"


class ReportDelivery(models.Model):
    """One copy of one period's report to one recipient."""

    send = models.ForeignKey(ReportSend, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(ReportRecipient, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["send", "recipient"], name="report_delivery_once")
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.send} → {self.recipient}"
