"""Reads of routing, scoped to the user: an assignee's inbox, the unassigned queue."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead, LeadEvent
from relais.partners.choices import PartnerKind
from relais.partners.selectors import partner_for_user

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
    """Qualified leads no one could take, each with the router's last stated reason."""
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
            unassigned_at=Subquery(last.values("at")[:1]),
        )
        .filter(unassigned_at__isnull=False)
        .select_related("departement", "category")
        .order_by("unassigned_at", "pk")
    )
