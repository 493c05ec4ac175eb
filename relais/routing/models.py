"""Routing: what each reseller takes, and every assignment of a lead with why it was chosen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.leads.models import Lead, ProductCategory
from relais.partners.models import Partner


class ResellerProfile(models.Model):
    """How many leads a reseller takes a month, and which products (none listed: all)."""

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, related_name="routing_profile"
    )
    monthly_capacity = models.PositiveSmallIntegerField(_("leads a month at most"), default=20)
    categories = models.ManyToManyField(ProductCategory, blank=True, verbose_name=_("products"))

    class Meta:
        verbose_name = _("reseller routing profile")
        verbose_name_plural = _("reseller routing profiles")

    def __str__(self) -> str:
        return f"{self.partner} ({self.monthly_capacity}/month)"


class Assignment(models.Model):
    """A lead given to a reseller; ``explanation`` keeps the candidates and why this one."""

    class End(models.TextChoices):
        DECLINED = "declined", _("Declined by the reseller")
        REASSIGNED = "reassigned", _("Reassigned")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    reseller = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField(_("assigned"), db_index=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    explanation = models.JSONField(default=dict)
    ended_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=12, choices=End.choices, blank=True)

    class Meta:
        ordering = ["-assigned_at"]
        indexes = [models.Index(fields=["reseller", "assigned_at"])]

    def __str__(self) -> str:
        return f"lead {self.lead_id} → {self.reseller}"
