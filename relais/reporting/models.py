"""The reporting counters: read models only, recomputed from the leads (``leads.counters``)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


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

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel} {self.departement}: {self.submitted}"
