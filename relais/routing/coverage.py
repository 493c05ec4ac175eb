"""Coverage per département: active resellers against the 4–5 norm, leads against capacity and
against the ≥ 10 leads a year per reseller (seed 002). Three grouped queries, whatever the size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from relais.core.models import Departement
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.models import ResellerProfile
from relais.routing.norms import norms, resellers_per_departement

DEFAULT_CAPACITY = ResellerProfile._meta.get_field("monthly_capacity").default


@dataclass
class Coverage:
    code: str
    name: str
    resellers: int
    leads: int  # qualified in the last 12 months: the leads there were to route
    monthly_capacity: int

    @property
    def leads_per_reseller(self) -> float | None:
        return round(self.leads / self.resellers, 1) if self.resellers else None

    @property
    def resellers_light(self) -> str:
        low, high = resellers_per_departement()
        if low <= self.resellers <= high:
            return "green"
        return "amber" if self.resellers > high or self.resellers == low - 1 else "red"

    @property
    def volume_light(self) -> str:
        if not self.leads:
            return "grey"
        return norms()["yearly_leads"].light(self.leads_per_reseller or 0)

    @property
    def recruit(self) -> int:
        """Resellers to recruit: up to the norm's low end where there are leads to share, and
        more where the leads exceed what the resellers can take."""
        low, _high = resellers_per_departement()
        missing = low - self.resellers if self.leads else 0
        yearly = self.monthly_capacity * 12
        if self.leads > yearly:
            per_reseller = (yearly / self.resellers) if self.resellers else DEFAULT_CAPACITY * 12
            missing = max(missing, math.ceil((self.leads - yearly) / per_reseller))
        return max(missing, 0)


def coverage(now: datetime | None = None) -> list[Coverage]:
    now = now or timezone.now()
    through = Partner.served_departements.through
    served = (
        through.objects.filter(
            partner__kind=PartnerKind.RESELLER, partner__status=PartnerStatus.ACTIVE
        )
        .values("departement_id")
        .annotate(
            n=Count("partner_id"),
            capacity=Sum(
                Coalesce("partner__routing_profile__monthly_capacity", Value(DEFAULT_CAPACITY))
            ),
        )
    )
    by_dep = {r["departement_id"]: (r["n"], r["capacity"]) for r in served}
    leads = dict(
        Lead.objects.filter(qualified_at__gte=now - timedelta(days=365))
        .values("departement_id")
        .annotate(n=Count("pk"))
        .values_list("departement_id", "n")
    )
    return [
        Coverage(
            dep.code, dep.name, by_dep.get(dep.code, (0, 0))[0], leads.get(dep.code, 0),
            by_dep.get(dep.code, (0, 0))[1] or 0,
        )
        for dep in Departement.objects.order_by("code")
    ]  # fmt: skip
