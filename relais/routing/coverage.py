"""Coverage per département: active resellers against the 4–5 norm, leads against capacity and
against the ≥ 10 leads a year per reseller (seed 002). Three grouped queries, whatever the size.

One definition, read by the coverage page, the yearly review and the dashboard: a département is
*covered* when an active reseller serves it (``served_rows``); it *needs* as many resellers as
its leads can feed — up to the norm's low end, each with at least the yearly minimum of leads,
one at least where there are leads, and more where the leads exceed the capacity. Fewer than
that: *recruit* the difference. More than its leads feed (or above the norm's high end) while
capacity is not short: *crowded*, where the review proposes to pause the resellers left without
leads. A département never needs recruits and is crowded at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from relais.bulk import compiled
from relais.core.choices import TerritoryKind
from relais.core.models import Departement
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.models import ResellerProfile
from relais.routing.norms import norms, resellers_per_departement

DEFAULT_CAPACITY = ResellerProfile._meta.get_field("monthly_capacity").default


def served_rows() -> QuerySet[Any]:
    """Who serves where, for coverage: the (département, partner) rows of active resellers."""
    return Partner.served_departements.through.objects.filter(
        partner__kind=PartnerKind.RESELLER, partner__status=PartnerStatus.ACTIVE
    )


def _departements_covered() -> QuerySet[Departement, tuple[int, int]]:
    served = served_rows().filter(departement=OuterRef("pk"))
    return (
        Departement.objects.filter(kind=TerritoryKind.DEPARTEMENT)
        .values("kind")
        .annotate(total=Count("pk"), covered=Count("pk", filter=Exists(served)))
        .values_list("total", "covered")
        .order_by()
    )


def departements_covered() -> tuple[int, int]:
    """(départements, those an active reseller serves), in one query: the dashboard's figure
    and the coverage page's. The overseas collectivities are not départements: not counted.
    Built and compiled once (``relais.bulk.compiled``): the dashboard reads it on every view."""
    [(total, covered)] = compiled.rows(_departements_covered) or [(0, 0)]
    return total, covered


@dataclass
class Coverage:
    code: str
    name: str
    resellers: int
    leads: int  # qualified in the last 12 months: the leads there were to route
    monthly_capacity: int
    kind: str = TerritoryKind.DEPARTEMENT

    @property
    def leads_per_reseller(self) -> float | None:
        return round(self.leads / self.resellers, 1) if self.resellers else None

    @property
    def fed(self) -> int:
        """Resellers the leads can feed, each with at least the yearly minimum."""
        return self.leads // max(settings.RELAIS_ROUTING_YEARLY_MINIMUM, 1)

    @property
    def for_capacity(self) -> int:
        """Resellers needed for the leads to fit in their monthly capacities (at the
        département's capacity per reseller, or the default one where there is none)."""
        if not self.leads:
            return 0
        yearly = self.monthly_capacity * 12
        per_reseller = (yearly / self.resellers) if self.resellers else DEFAULT_CAPACITY * 12
        return math.ceil(self.leads / per_reseller) if per_reseller else self.resellers + 1

    @property
    def needed(self) -> int:
        """The resellers this département should have (see the module's docstring)."""
        low, _high = resellers_per_departement()
        wanted = max(min(low, self.fed), self.for_capacity)
        return max(wanted, 1) if self.leads else wanted

    @property
    def recruit(self) -> int:
        """Resellers to recruit: what the leads need beyond the active resellers."""
        return max(self.needed - self.resellers, 0)

    @property
    def crowded(self) -> bool:
        """More resellers than the leads feed (or than the norm's high end), capacity not short:
        the review may pause those left without leads."""
        _low, high = resellers_per_departement()
        return not self.recruit and self.resellers > min(high, max(self.fed, 1))

    @property
    def covered(self) -> bool:
        return self.resellers > 0

    @property
    def resellers_light(self) -> str:
        """Red: resellers to recruit; amber: crowded; green: as many as the leads need."""
        if self.recruit:
            return "red"
        return "amber" if self.crowded else "green"

    @property
    def volume_light(self) -> str:
        if not self.leads:
            return "grey"
        return norms()["yearly_leads"].light(self.leads_per_reseller or 0)


def coverage(now: datetime | None = None) -> list[Coverage]:
    """Every département, and the overseas collectivities that have leads or resellers."""
    now = now or timezone.now()
    served = (
        served_rows()
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
    rows = [
        Coverage(
            dep.code,
            dep.name,
            by_dep.get(dep.code, (0, 0))[0],
            leads.get(dep.code, 0),
            by_dep.get(dep.code, (0, 0))[1] or 0,
            dep.kind,
        )
        for dep in Departement.objects.order_by("code")
    ]
    return [r for r in rows if r.kind == TerritoryKind.DEPARTEMENT or r.leads or r.resellers]


@dataclass(frozen=True)
class Summary:
    """The coverage page's headline, from the rows and ``departements_covered``."""

    departements: int
    covered: int
    short: int  # départements (and collectivities) needing recruits
    resellers_to_recruit: int
    crowded: int


def summary(rows: list[Coverage]) -> Summary:
    total, covered = departements_covered()
    return Summary(
        departements=total,
        covered=covered,
        short=sum(1 for r in rows if r.recruit),
        resellers_to_recruit=sum(r.recruit for r in rows),
        crowded=sum(1 for r in rows if r.crowded),
    )
