"""Read-side aggregates for the staff dashboard: one grouped query per figure, never a loop."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from relais.core.models import Departement, TerritoryKind
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
