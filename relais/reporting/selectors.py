"""Read-side aggregates for the staff dashboard: one grouped query per figure, never a loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from relais.accounts.models import User
from relais.bulk import compiled
from relais.commissions.choices import RedemptionStatus
from relais.commissions.models import PaymentRun
from relais.commissions.selectors import (
    VIGILANCE_NOTICE_DAYS,
    partners_with_vigilance_expiring,
    payment_todo_for_user,
    redemptions_for_user,
)
from relais.core.counting import list_count
from relais.core.formatting import format_money, format_number
from relais.core.money import cents
from relais.leads import counters
from relais.leads.choices import LeadStatus
from relais.leads.models import LeadDay
from relais.leads.selectors import held_leads_for_user
from relais.partners.choices import ConflictStatus, PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.partners.selectors import (
    EXPIRY_NOTICE_DAYS,
    conflict_declarations_for_user,
    partners_with_contract_expiring,
)
from relais.routing.choices import AssigneeKind
from relais.routing.coverage import departements_covered
from relais.routing.kpis import default_period
from relais.routing.models import KpiMonth
from relais.routing.norms import norms
from relais.routing.selectors import (
    leads_past_sla,
    pending_coverage_requests_for_user,
    unassigned_queue,
)


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
    rows = compiled.rows(_lead_days, since)  # kept compiled: relais.bulk.compiled
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


# The manager's home: what waits for a decision, each with where to take it.


@dataclass(frozen=True)
class Decision:
    """One thing waiting for a manager: how many (or how much), what it is, where to act."""

    key: str
    count: int
    figure: str
    text: str
    url: str
    action: str


def _decision(key: str, count: int, text: str, url: str, action: str) -> Decision:
    """``text`` is said after the figure: "3" "leads held for review…"."""
    return Decision(key, count, format_number(count), text, url, action)


def _list_url(name: str, **query: str) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def _run_url(run: PaymentRun | None) -> str:
    return reverse("commissions:run", args=[run.pk]) if run else ""


def decisions_for_user(*, user: User) -> list[Decision]:
    """What waits for the user's decision, most pressing first; empty for a non-manager. A
    fixed number of queries whatever the network's size (each count bounded, ``list_count``)."""
    if not user.can_manage:
        return []
    held = list_count(held_leads_for_user(user=user))
    unassigned = list_count(unassigned_queue().values("pk"))  # not the last reason's subquery
    late = list_count(leads_past_sla())
    contracts = list_count(partners_with_contract_expiring())
    vigilance = list_count(partners_with_vigilance_expiring())
    coverage = pending_coverage_requests_for_user(user=user).count()
    declarations = (
        conflict_declarations_for_user(user=user).filter(status=ConflictStatus.PENDING).count()
    )
    gifts = redemptions_for_user(user=user).filter(status=RedemptionStatus.REQUESTED).count()
    pay = payment_todo_for_user(user=user)
    below = resellers_off_norm()
    found = [
        _decision(
            "held",
            held,
            ngettext(
                "lead held for review: a possible duplicate or a disputed attribution.",
                "leads held for review: possible duplicates or disputed attributions.",
                held,
            ),
            reverse("leads:review"),
            _("Review"),
        ),
        _decision(
            "unassigned",
            unassigned,
            ngettext(
                "qualified lead no reseller could take.",
                "qualified leads no reseller could take.",
                unassigned,
            ),
            reverse("routing:unassigned"),
            _("Assign"),
        ),
        _decision(
            "late",
            late,
            ngettext(
                "lead past its SLA: not opened, no status declared or not closed in time.",
                "leads past their SLA: not opened, no status declared or not closed in time.",
                late,
            ),
            _list_url("leads:list", queue="late"),
            _("See them"),
        ),
        _decision(
            "below_norm",
            below,
            ngettext(
                "reseller far below a norm over 12 months (open, treatment or closure rate).",
                "resellers far below a norm over 12 months (open, treatment or closure rate).",
                below,
            ),
            reverse("routing:kpis"),
            _("See the KPIs"),
        ),
        _decision(
            "coverage",
            coverage,
            ngettext(
                "reseller asks to change what it takes.",
                "resellers ask to change what they take.",
                coverage,
            ),
            reverse("routing:coverage_requests"),
            _("Decide"),
        ),
        _decision(
            "blocked",
            pay.blocked,
            ngettext(
                "partner left out of the last payment run: a document or the IBAN is missing.",
                "partners left out of the last payment run: a document or the IBAN is missing.",
                pay.blocked,
            ),
            _run_url(pay.blocked_run),
            _("See who"),
        ),
        Decision(
            "payable",
            pay.payable_partners,
            format_money(pay.payable_total),
            ngettext(
                "ready to pay to %(n)s partner: prepare a payment run.",
                "ready to pay to %(n)s partners: prepare a payment run.",
                pay.payable_partners,
            )
            % {"n": format_number(pay.payable_partners)},
            reverse("commissions:runs"),
            _("Prepare"),
        ),
        _decision(
            "drafts",
            pay.drafts,
            ngettext(
                "payment run prepared, to send to the bank.",
                "payment runs prepared, to send to the bank.",
                pay.drafts,
            ),
            _run_url(pay.first_draft),
            pgettext("button", "Open"),
        ),
        _decision(
            "contracts",
            contracts,
            ngettext(
                "partner's contract expires within %(days)s days or has expired.",
                "partners' contracts expire within %(days)s days or have expired.",
                contracts,
            )
            % {"days": EXPIRY_NOTICE_DAYS},
            _list_url("partners:list", queue="contract_expiring"),
            _("See who"),
        ),
        _decision(
            "vigilance",
            vigilance,
            ngettext(
                "partner's URSSAF vigilance certificate ends within %(days)s days or has ended.",
                "partners' URSSAF vigilance certificates end within %(days)s days or have ended.",
                vigilance,
            )
            % {"days": VIGILANCE_NOTICE_DAYS},
            _list_url("partners:list", queue="vigilance_expiring"),
            _("See who"),
        ),
        _decision(
            "declarations",
            declarations,
            ngettext(
                "conflict-of-interest declaration to review.",
                "conflict-of-interest declarations to review.",
                declarations,
            ),
            reverse("partners:declarations"),
            _("Review"),
        ),
        _decision(
            "gifts",
            gifts,
            ngettext(
                "gift asked for instead of cash.",
                "gifts asked for instead of cash.",
                gifts,
            ),
            reverse("commissions:redemptions"),
            _("Handle"),
        ),
    ]
    return [d for d in found if d.count]


def resellers_off_norm() -> int:
    """Resellers red on a rate over the last 12 months (below the norm's warning level, or
    beyond its ceiling's): the KPI page's lights, from the same monthly counters, in one
    grouped query rather than the KPI table's snapshot."""
    counters.refresh()
    start, _end = default_period()
    rows = (
        KpiMonth.objects.filter(kind=AssigneeKind.RESELLER, month__gte=start.date())
        .values("assignee_id")
        .annotate(
            r=Sum("received"), o=Sum("opened"), t=Sum("treated"), w=Sum("won"), lo=Sum("lost")
        )
        .values_list("r", "o", "t", "w", "lo")
        .order_by()
    )
    marks = norms()
    off = 0
    for received, opened, treated, won, lost in rows:
        if not received:
            continue
        rates = {
            "open_rate": opened / received,
            "treatment_rate": treated / received,
            "closure_rate": (won + lost) / received,
        }
        off += any(marks[name].light(rate) == "red" for name, rate in rates.items())
    return off
