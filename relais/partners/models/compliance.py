"""Conflict-of-interest declarations, compliance audits, disputes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel
from relais.partners.choices import ConflictStatus, DisputeStatus
from relais.partners.models.partner import Partner


class ConflictDeclaration(TimeStampedModel):
    """What a partner declares about its conflicts of interest, and the manager's review."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="declarations")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    has_conflict = models.BooleanField(_("I have a conflict of interest to declare"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.PENDING
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")

    def __str__(self) -> str:
        return f"{self.partner} ({self.created_at:%Y-%m-%d})"


class ComplianceAudit(TimeStampedModel):
    """A compliance checklist for a partner, due on a date, possibly recurring."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="audits")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    recurrence_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"), null=True, blank=True
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["completed_at", "due_date"]
        verbose_name = _("compliance audit")
        verbose_name_plural = _("compliance audits")

    def __str__(self) -> str:
        return f"{self.title} ({self.due_date:%Y-%m-%d})"


class AuditItem(models.Model):
    """One line of the checklist: compliant or not, what was found, what must be done by when."""

    audit = models.ForeignKey(ComplianceAudit, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(_("check"), max_length=200)
    compliant = models.BooleanField(_("compliant"), null=True)
    finding = models.TextField(_("finding"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    action_due = models.DateField(_("action due"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label


class Dispute(TimeStampedModel):
    """A disagreement with a partner, tracked as a case until it is resolved or abandoned."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="disputes")
    subject = models.CharField(_("subject"), max_length=200)
    parties = models.TextField(_("parties"), blank=True)
    amount_at_stake = models.DecimalField(
        _("amount at stake"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["closed_at", "deadline"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return self.subject
