"""Reads of routing, scoped to the user: an assignee's inbox, the unassigned queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.models import Departement
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead, LeadEvent
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.partners.selectors import partner_for_user
from relais.routing.choices import CoverageRequestStatus
from relais.routing.models import CoverageRequest, ResellerProfile

OPEN = (LeadStatus.ASSIGNED, LeadStatus.OPENED, LeadStatus.IN_PROGRESS)
CLOSED = (LeadStatus.WON, LeadStatus.LOST)


def assignee_of(user: User) -> dict[str, Any]:
    """The service keyword naming who the user works leads for: a reseller, or themselves.
    Empty for anyone else (an introducer, a manager), who has no inbox."""
    if user.role == Role.SALESPERSON:
        return {"salesperson": user}
    partner = partner_for_user(user)
    if partner is not None and partner.kind == PartnerKind.RESELLER:
        return {"reseller": partner}
    return {}


def inbox_for(user: User, *, closed: bool = False) -> QuerySet[Lead]:
    """The leads assigned to the user's reseller (or to the salesperson), waiting ones first."""
    who = assignee_of(user)
    if not who:
        return Lead.objects.none()
    ((kind, assignee),) = who.items()
    qs = Lead.objects.filter(**{f"assigned_{kind}": assignee}).select_related("category")
    if closed:
        return qs.filter(status__in=CLOSED).order_by("-assigned_at", "-pk")
    return qs.filter(status__in=OPEN).order_by("status", "-assigned_at", "-pk")


# Waiting for the assignee: not opened yet (reassigned when its time is up), or opened with no
# status declared (a reminder then). In progress, it is theirs to close.
WAITING = (LeadStatus.ASSIGNED, LeadStatus.OPENED)


@dataclass(frozen=True)
class Waiting:
    """What an assignee's home page leads with: the leads waiting for them, and the one to take
    first with its deadline (``reassigned``: at the deadline the lead goes to someone else)."""

    count: int
    in_progress: int
    first: Lead | None
    deadline: datetime | None
    reassigned: bool


def sla_deadline(lead: Lead) -> tuple[datetime | None, bool]:
    """When the SLA sweep (``routing.sla``) acts on a lead waiting for its assignee, and whether
    it then takes the lead away (not opened) or only reminds (no status declared)."""
    if lead.assigned_at is None:
        return None, False
    if lead.status == LeadStatus.ASSIGNED:
        return lead.assigned_at + timedelta(hours=settings.RELAIS_SLA_REASSIGN_HOURS), True
    return lead.assigned_at + timedelta(days=settings.RELAIS_SLA_STATUS_REMINDER_DAYS), False


def sla_late(now: datetime | None = None) -> Q:
    """Leads past a deadline of the SLA sweep (``routing.sla``) and not yet moved on: not
    opened within the reminder's hours, opened with no status declared within its days, or
    not closed within the escalation's days. The same cut-offs as the sweep's."""
    now = now or timezone.now()
    hours, days = settings.RELAIS_SLA_OPEN_REMINDER_HOURS, settings.RELAIS_SLA_STATUS_REMINDER_DAYS
    return (
        Q(status=LeadStatus.ASSIGNED, assigned_at__lte=now - timedelta(hours=hours))
        | Q(status=LeadStatus.OPENED, assigned_at__lte=now - timedelta(days=days))
        | Q(
            status__in=OPEN,
            assigned_at__lte=now - timedelta(days=settings.RELAIS_SLA_ESCALATION_DAYS),
        )
    )


def leads_past_sla(*, now: datetime | None = None) -> QuerySet[Lead]:
    """The leads past their SLA (``sla_late``), the longest waiting first."""
    return Lead.objects.filter(sla_late(now)).order_by("assigned_at", "pk")


def waiting_leads_for_user(*, user: User) -> QuerySet[Lead]:
    """The user's leads waiting for them, not opened first, then by assignment, oldest first."""
    return (
        inbox_for(user)
        .filter(status__in=WAITING)
        .select_related("departement")
        .order_by("status", "assigned_at", "pk")  # "assigned" sorts before "opened"
    )


def waiting_for_user(*, user: User) -> Waiting:
    """Two queries: the counts by status, and the lead to take first."""
    counts = dict(
        inbox_for(user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    first = waiting_leads_for_user(user=user).first()
    deadline, reassigned = sla_deadline(first) if first else (None, False)
    return Waiting(
        count=sum(counts.get(status, 0) for status in WAITING),
        in_progress=counts.get(LeadStatus.IN_PROGRESS, 0),
        first=first,
        deadline=deadline,
        reassigned=reassigned,
    )


def inbox_lead(user: User, pk: int) -> Lead:
    """Raises Lead.DoesNotExist unless the lead is assigned to the user's reseller (or them)."""
    who = assignee_of(user)
    if not who:
        raise Lead.DoesNotExist
    ((kind, assignee),) = who.items()
    return Lead.objects.select_related("category", "departement").get(
        pk=pk, **{f"assigned_{kind}": assignee}
    )


def unassigned_queue() -> QuerySet[Lead]:
    """Qualified leads no one could take, each with the router's last stated reason: its note
    (the router's words) and its deferred message (``unassigned_says``, said in the reader's
    language by ``leads.timeline.system_note``)."""
    last = LeadEvent.objects.filter(lead=OuterRef("pk"), kind="unassigned").order_by("-at", "-pk")
    return (
        Lead.objects.filter(
            status=LeadStatus.QUALIFIED,
            review_reason="",
            assigned_reseller__isnull=True,
            assigned_salesperson__isnull=True,
        )
        .annotate(
            unassigned_reason=Subquery(last.values("note")[:1]),
            unassigned_says=Subquery(last.values("data__says")[:1]),
            unassigned_at=Subquery(last.values("at")[:1]),
        )
        .filter(unassigned_at__isnull=False)
        .select_related("departement", "category")
        .order_by("unassigned_at", "pk")
    )


# What a reseller takes, and the requests to change it.


@dataclass(frozen=True)
class ProfileWish:
    """A routing profile as figures: the current one, or the one a request asks for."""

    departements: list[str]
    categories: list[int]
    monthly_capacity: int

    def changes_to(self, other: ProfileWish) -> dict[str, list[Any]]:
        """``{field: [this, other]}`` for each field that differs (the audit's shape)."""
        return {
            name: [getattr(self, name), getattr(other, name)]
            for name in ("departements", "categories", "monthly_capacity")
            if getattr(self, name) != getattr(other, name)
        }


def reseller_profile_of(partner: Partner) -> ProfileWish:
    """The profile the router uses for this reseller now, read from the database (the model's
    default capacity when it was never set)."""
    profile = ResellerProfile.objects.filter(partner=partner).first()
    return ProfileWish(
        sorted(partner.served_departements.values_list("code", flat=True)),
        sorted(profile.categories.values_list("pk", flat=True)) if profile else [],
        profile.monthly_capacity if profile else _DEFAULT_CAPACITY,
    )


_DEFAULT_CAPACITY: int = ResellerProfile._meta.get_field("monthly_capacity").get_default()


def coverage_request_wish(wish: CoverageRequest) -> ProfileWish:
    """What a request asks for, read from its prefetched rows (``coverage_requests_for_user``)."""
    return ProfileWish(
        sorted(d.code for d in wish.departements.all()),
        sorted(c.pk for c in wish.categories.all()),
        wish.monthly_capacity,
    )


def coverage_requests_for_user(*, user: User) -> QuerySet[CoverageRequest]:
    """Managers see every reseller's requests; a reseller user its own reseller's; others none."""
    qs = CoverageRequest.objects.select_related("partner", "requested_by", "decided_by")
    qs = qs.prefetch_related(
        "departements",
        "categories",
        "partner__served_departements",
        "partner__routing_profile__categories",
    )
    if user.can_manage:
        return qs
    partner = partner_for_user(user)
    if partner is None or partner.kind != PartnerKind.RESELLER:
        return qs.none()
    return qs.filter(partner=partner)


def coverage_request_get_for_user(*, user: User, pk: int) -> CoverageRequest:
    """Raises CoverageRequest.DoesNotExist outside the user's scope (a 404 to callers)."""
    return coverage_requests_for_user(user=user).get(pk=pk)


def pending_coverage_requests_for_user(*, user: User) -> QuerySet[CoverageRequest]:
    """The requests waiting for a decision, oldest first (the manager's queue)."""
    return (
        coverage_requests_for_user(user=user)
        .filter(status=CoverageRequestStatus.PENDING)
        .order_by("requested_at", "pk")
    )


@dataclass(frozen=True)
class CoverageChange:
    """What a request changes, as the manager reads it: départements added and removed, the
    capacity and the products before and after (``None``: unchanged; no product: all)."""

    request: CoverageRequest
    added: list[Departement]
    removed: list[Departement]
    capacity: tuple[int, int] | None
    products: tuple[list[str], list[str]] | None


def coverage_request_change(wish: CoverageRequest) -> CoverageChange:
    """Read from the rows ``coverage_requests_for_user`` prefetched: no query of its own."""
    partner = wish.partner
    served = {d.code: d for d in partner.served_departements.all()}
    asked = {d.code: d for d in wish.departements.all()}
    profile: ResellerProfile | None = getattr(partner, "routing_profile", None)
    before = sorted(c.name for c in profile.categories.all()) if profile else []
    after = sorted(c.name for c in wish.categories.all())
    capacity = profile.monthly_capacity if profile else _DEFAULT_CAPACITY
    return CoverageChange(
        request=wish,
        added=[asked[c] for c in sorted(asked.keys() - served.keys())],
        removed=[served[c] for c in sorted(served.keys() - asked.keys())],
        capacity=None if capacity == wish.monthly_capacity else (capacity, wish.monthly_capacity),
        products=None if before == after else (before, after),
    )
