"""Routing: who takes leads where, every assignment with why it was chosen, and SLA events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.models import Departement
from relais.leads.models import Lead, ProductCategory
from relais.partners.models import Partner
from relais.routing.choices import (
    AssigneeKind,
    AssignmentEnd,
    CoverageRequestStatus,
    ReviewProposal,
    SlaEventKind,
)


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


class CoverageRequest(models.Model):
    """A reseller asks to change what it takes (départements, products, monthly capacity): the
    router keeps routing on the current profile until a manager approves the request, since
    what a reseller takes decides who receives leads. One pending request per reseller: a new
    one replaces it."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="coverage_requests", db_index=False
    )  # indexed by the constraint below and Meta.indexes
    departements = models.ManyToManyField(
        Departement, related_name="+", verbose_name=_("départements")
    )
    categories = models.ManyToManyField(
        ProductCategory, blank=True, related_name="+", verbose_name=_("products")
    )
    monthly_capacity = models.PositiveSmallIntegerField(_("leads a month at most"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=CoverageRequestStatus.choices,
        default=CoverageRequestStatus.PENDING,
    )
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("why refused"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("coverage request")
        verbose_name_plural = _("coverage requests")
        indexes = [
            models.Index(fields=["partner", "requested_at"], name="coverage_request_partner")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(status=CoverageRequestStatus.PENDING),
                name="coverage_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.requested_at:%Y-%m-%d} · {self.status}"


class SalesTerritory(models.Model):
    """An internal salesperson's territory: leads of products we sell ourselves go here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_territory"
    )
    departements = models.ManyToManyField(
        Departement, related_name="+", verbose_name=_("départements")
    )
    monthly_capacity = models.PositiveSmallIntegerField(_("leads a month at most"), default=40)
    active = models.BooleanField(_("takes leads"), default=True)

    class Meta:
        verbose_name = _("sales territory")
        verbose_name_plural = _("sales territories")

    def __str__(self) -> str:
        return str(self.user)


class Assignment(models.Model):
    """A lead given to a reseller or a salesperson; ``explanation`` keeps the candidates and why
    this one. Its own ``opened_at``: KPIs judge each assignee on the leads it was given."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    # Indexed by Meta.indexes (assignee, assigned_at), which serves the lookups by assignee alone.
    reseller = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        db_index=False,
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        db_index=False,
    )
    assigned_at = models.DateTimeField(_("assigned"), db_index=True)
    # Set by a manual assignment only: indexed where set (Meta).
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    explanation = models.JSONField(default=dict)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=12, choices=AssignmentEnd.choices, blank=True)
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-assigned_at"]
        indexes = [
            # With ``end``: the router's 12-month counts per assignee read the index alone.
            # Each assignment has one assignee: each index holds only the rows of its kind.
            models.Index(
                fields=["reseller", "assigned_at", "end"],
                condition=Q(reseller__isnull=False),
                name="assignment_reseller_idx",
            ),
            models.Index(
                fields=["salesperson", "assigned_at", "end"],
                condition=Q(salesperson__isnull=False),
                name="assignment_salesperson_idx",
            ),
            models.Index(
                fields=["assigned_by"],
                condition=Q(assigned_by__isnull=False),
                name="assignment_assigned_by_idx",
            ),
            models.Index(
                fields=["assigned_at"], condition=Q(ended_at__isnull=True), name="assignment_live"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reseller__isnull=True) ^ Q(salesperson__isnull=True),
                name="assignment_one_assignee",
            ),
            # One live assignment per lead: two routings of the same lead cannot both win.
            models.UniqueConstraint(
                fields=["lead"], condition=Q(ended_at__isnull=True), name="assignment_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"lead {self.lead_id} → {self.reseller or self.salesperson}"


class SlaEvent(models.Model):
    """A deadline acted upon for one assignment. Unique per kind: never two reminders for the
    same deadline, however often or concurrently the sweep runs."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="sla_events")
    kind = models.CharField(max_length=16, choices=SlaEventKind.choices)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind"], name="sla_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.assignment_id}"


class ReviewDecision(models.Model):
    """The yearly review: what was proposed for a reseller, and what the manager accepted."""

    year = models.PositiveSmallIntegerField(_("year"))
    reseller = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="reviews")
    proposal = models.CharField(_("proposal"), max_length=8, choices=ReviewProposal.choices)
    # Why, as a deferred message (core.deferred): read in the reader's language, not the writer's.
    reason = models.JSONField(_("why"), default=dict)
    accepted_at = models.DateTimeField(_("accepted"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "reseller"], name="review_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.reseller} · {self.proposal}"


# Hours after assignment at which ``KpiMonth`` counts the leads opened so far: the median time
# to open is estimated from these (within its band), since a median cannot be summed.
OPEN_BANDS = (1, 2, 4, 6, 8, 12, 18, 24, 36, 48, 72, 96)


class KpiMonth(models.Model):
    """One assignee's KPI counts for the assignments it was given in one month (Paris time).

    Counters, not facts: recomputed from the assignments and their leads for each month a
    changed lead touches (``routing.counters``), so the KPI table of 5,000 resellers over a
    year sums about 60,000 rows instead of grouping half a million assignments with their
    leads. Same definitions as ``kpis``: received, opened, treated, won, lost, declined,
    expired, reminders, revenue; ``opened_<n>h`` counts those opened within n hours."""

    kind = models.CharField(max_length=12, choices=AssigneeKind.choices)
    assignee_id = models.BigIntegerField()
    month = models.DateField()
    received = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    treated = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    declined = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    reminders = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    opened_1h = models.PositiveIntegerField(default=0)
    opened_2h = models.PositiveIntegerField(default=0)
    opened_4h = models.PositiveIntegerField(default=0)
    opened_6h = models.PositiveIntegerField(default=0)
    opened_8h = models.PositiveIntegerField(default=0)
    opened_12h = models.PositiveIntegerField(default=0)
    opened_18h = models.PositiveIntegerField(default=0)
    opened_24h = models.PositiveIntegerField(default=0)
    opened_36h = models.PositiveIntegerField(default=0)
    opened_48h = models.PositiveIntegerField(default=0)
    opened_72h = models.PositiveIntegerField(default=0)
    opened_96h = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # The KPI table reads a range of months for every assignee of one kind.
            models.UniqueConstraint(fields=["kind", "month", "assignee_id"], name="kpi_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.assignee_id} {self.month:%Y-%m}: {self.received}"
