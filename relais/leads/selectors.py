"""Reads of leads, always scoped to what the user may see."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from relais.accounts.models import User
from relais.core import identifiers, listings
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead, LeadImport
from relais.partners.models import Partner


def leads_visible_to(user: User) -> QuerySet[Lead]:
    """Managers see every lead; a salesperson the leads they brought or were given; a partner
    user its own and, for a reseller, the leads assigned to it."""
    base = Lead.objects.select_related("partner", "departement", "category")
    if user.can_manage:
        return base
    if user.is_partner_user:
        return base.filter(
            Q(partner__members__user=user) | Q(assigned_reseller__members__user=user)
        ).distinct()
    return base.filter(Q(salesperson=user) | Q(assigned_salesperson=user))


def reached(step: str) -> Q:
    """Leads that reached a step, whatever their status now (the dashboard's funnel)."""
    if step == "won":
        return Q(status=LeadStatus.WON)
    if step not in ("qualified", "assigned", "opened"):
        return Q(pk__in=[])
    return Q(**{f"{step}_at__isnull": False})


def lead_list(user: User, *, filters: dict[str, Any] | None = None) -> QuerySet[Lead]:
    filters = filters or {}
    qs = leads_visible_to(user)
    for field in ("status", "channel", "review_reason"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("departement"):
        qs = qs.filter(departement_id=filters["departement"].upper())
    if filters.get("region"):
        qs = qs.filter(departement__region=filters["region"])
    if filters.get("product"):
        qs = qs.filter(category_id=filters["product"])
    if filters.get("partner_kind") == "none":
        qs = qs.filter(partner__isnull=True)
    elif filters.get("partner_kind"):
        qs = qs.filter(partner__kind=filters["partner_kind"])
    if filters.get("partner_group"):
        qs = qs.filter(partner__group=filters["partner_group"])
    if filters.get("partner"):
        qs = qs.filter(partner_id=filters["partner"])
    if filters.get("step"):
        qs = qs.filter(reached(filters["step"]))
    if filters.get("queue"):
        where = listings.queue_where("leads", filters["queue"])
        qs = qs.filter(where) if where is not None else qs.none()
    if isinstance(filters.get("since"), date):
        qs = qs.filter(submitted_at__date__gte=filters["since"])
    if isinstance(filters.get("until"), date):
        qs = qs.filter(submitted_at__date__lte=filters["until"])
    if filters.get("q"):
        term = filters["q"].strip()
        qs = qs.filter(
            Q(last_name__icontains=term)
            | Q(company_name__icontains=term)
            | Q(email=identifiers.lookup_email(term))
            | Q(city__icontains=term)
        )
    return qs.order_by("-submitted_at", "-pk")


def lead_get_for_user(user: User, pk: int) -> Lead:
    """Raises Lead.DoesNotExist for a lead outside the user's scope (a 404 to callers)."""
    return leads_visible_to(user).get(pk=pk)


def lead_imports_for_user(*, user: User) -> QuerySet[LeadImport]:
    """Lead imports are the managers' tool: they see every one, anyone else none."""
    return LeadImport.objects.all() if user.can_manage else LeadImport.objects.none()


def lead_import_get_for_user(*, user: User, pk: int) -> LeadImport:
    """Raises LeadImport.DoesNotExist outside the user's scope (a 404 to callers)."""
    return lead_imports_for_user(user=user).get(pk=pk)


def lead_counts(partner: Partner) -> dict[str, int]:
    """A partner's leads by outcome, in one grouped query (the portal home's figures)."""
    won, open_statuses = LeadStatus.WON, (LeadStatus.LOST, LeadStatus.REJECTED, LeadStatus.WON)
    return partner.leads.aggregate(
        total=Count("pk"),
        won=Count("pk", filter=Q(status=won)),
        open=Count("pk", filter=~Q(status__in=open_statuses)),
    )


def held_leads_for_user(*, user: User) -> QuerySet[Lead]:
    """Leads held for a manager's decision (a possible duplicate, a disputed attribution):
    managers only, oldest first."""
    if not user.can_manage:
        return Lead.objects.none()
    return Lead.objects.exclude(review_reason="").order_by("submitted_at", "pk")
