"""Read-side aggregates for the staff dashboard: one grouped query per figure, never a loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from relais.core.models import Departement, TerritoryKind
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner


@dataclass(frozen=True)
class NetworkSummary:
    active_resellers: int
    active_introducers: int
    candidates: int
    departements_covered: int
    departements_total: int


def network_summary() -> NetworkSummary:
    counts = Partner.objects.aggregate(
        active_resellers=Count(
            "pk", filter=Q(kind=PartnerKind.RESELLER, status=PartnerStatus.ACTIVE)
        ),
        active_introducers=Count(
            "pk", filter=Q(kind=PartnerKind.INTRODUCER, status=PartnerStatus.ACTIVE)
        ),
        candidates=Count("pk", filter=Q(status=PartnerStatus.CANDIDATE)),
    )
    departements = Departement.objects.filter(kind=TerritoryKind.DEPARTEMENT)
    covered = departements.filter(
        serving_partners__kind=PartnerKind.RESELLER, serving_partners__status=PartnerStatus.ACTIVE
    ).distinct()
    return NetworkSummary(
        **counts, departements_covered=covered.count(), departements_total=departements.count()
    )


@dataclass(frozen=True)
class LeadSummary:
    by_status: dict[str, int]
    won_amount: Decimal
    submitted: int

    @property
    def conversion(self) -> float | None:
        closed = self.by_status.get(LeadStatus.WON, 0) + self.by_status.get(LeadStatus.LOST, 0)
        return self.by_status.get(LeadStatus.WON, 0) / closed if closed else None


def lead_summary(days: int = 365) -> LeadSummary:
    """Leads submitted in the last ``days`` days, by status, with the amount won: one GROUP BY."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Lead.objects.filter(submitted_at__gte=since)
        .values("status")
        .annotate(n=Count("pk"), won=Sum("won_amount"))
        .order_by()
    )
    by_status = {r["status"]: r["n"] for r in rows}
    won = sum((r["won"] or Decimal(0) for r in rows), Decimal(0))
    return LeadSummary(by_status, won, sum(by_status.values()))
