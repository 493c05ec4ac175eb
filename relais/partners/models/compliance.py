"""Conflict-of-interest declarations, compliance audits, disputes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel
from relais.partners.choices import ConflictStatus
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
