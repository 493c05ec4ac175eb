"""Read-side aggregates for the staff dashboard: one grouped query per figure, never a loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from relais.core import compiled
from relais.core.money import cents
from relais.leads import counters
from relais.leads.choices import LeadStatus
from relais.leads.models import LeadDay
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.coverage import departements_covered


@dataclass(frozen=True)
class NetworkSummary:
    active_resellers: int
    active_introducers: int
    candidates: int
    departements_covered: int
    departements_total: int


def network_summary() -> NetworkSummary:
    partners = {(kind, status): n for kind, status, n in compiled.rows(_partner_groups)}
    counts = {
        "active_resellers": partners.get((PartnerKind.RESELLER, PartnerStatus.ACTIVE), 0),
        "active_introducers": partners.get((PartnerKind.INTRODUCER, PartnerStatus.ACTIVE), 0),
        "candidates": sum(
            n for (_k, status), n in partners.items() if status == PartnerStatus.CANDIDATE
        ),
    }
    # The coverage page's own definition of a département covered (routing.coverage).
    total, covered = departements_covered()
    return NetworkSummary(**counts, departements_covered=covered, departements_total=total)


def _partner_groups() -> QuerySet[Partner, tuple[str, str, int]]:
    # Eight (kind, status) groups read from their index alone, rather than three filtered
    # counts over every partner's row: 6 ms instead of 15 at 55,000 partners (PostgreSQL).
    return Partner.objects.values_list("kind", "status").annotate(n=Count("*")).order_by()


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
    """Leads submitted on the last ``days`` days (today included), by status, with the amount
    won: summed from the day counters, brought up to date first."""
    counters.refresh()
    since = timezone.localdate() - timedelta(days=days)
    rows = compiled.rows(_lead_days, since)
    by_status = {status: n for status, n, _won in rows if n}
    won = cents(sum((won or Decimal(0) for _status, _n, won in rows), Decimal(0)))
    return LeadSummary(by_status, won, sum(by_status.values()))


def _lead_days(since: date) -> QuerySet[LeadDay, tuple[str, int, Decimal | None]]:
    return (
        LeadDay.objects.filter(day__gt=since)
        .values("status")
        .annotate(n=Sum("leads"), won=Sum("won_amount"))
        .values_list("status", "n", "won")
        .order_by()
    )
