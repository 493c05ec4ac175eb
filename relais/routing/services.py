"""Routing's writes besides the router: a manager's assignment, and what the assignee does with a
lead (opens it, declares a status, declines it). Each takes the lead's row lock first."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import acting_user, audit_record
from relais.core.errors import DomainError, NotYours
from relais.core.models import Departement
from relais.leads import counters
from relais.leads.choices import LeadStatus
from relais.leads.lifecycle import UNASSIGN, lead_assign, lead_unassign
from relais.leads.models import Lead
from relais.leads.services import lead_transition
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.choices import AssignmentEnd
from relais.routing.models import Assignment, ResellerProfile, SalesTerritory
from relais.routing.router import route_lead, route_leads

__all__ = [
    "assignee_declare",
    "assignment_create",
    "assignment_decline",
    "assignment_end",
    "assignment_open",
    "reseller_profile_update",
    "route_lead",
    "route_leads",
]


def _reason_required(reason: str, message: str) -> str:
    if not reason.strip():
        raise DomainError(message, code="reason_required", fields={"reason": _("Required.")})
    return reason.strip()


def _check_assignee(reseller: Partner | None, salesperson: User | None) -> None:
    if reseller is not None:
        if reseller.kind != PartnerKind.RESELLER or reseller.status != PartnerStatus.ACTIVE:
            raise DomainError(_("Choose an active reseller."), code="not_a_reseller")
    elif salesperson is None or not SalesTerritory.objects.filter(user=salesperson).exists():
        raise DomainError(
            _("Choose an active reseller or a salesperson with a territory."),
            code="not_an_assignee",
        )


def assignment_create(
    *,
    lead: Lead,
    actor: User | None,
    reason: str,
    reseller: Partner | None = None,
    salesperson: User | None = None,
) -> Assignment:
    """A manager's choice, over the router's and over capacity; audited with the reason."""
    _check_assignee(reseller, salesperson)
    reason = _reason_required(reason, _("Say why you assign it by hand."))
    now = timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.status in UNASSIGN:  # taken from its assignee first, on its timeline
            locked = assignment_end(
                lead=locked, end=AssignmentEnd.REASSIGNED, at=now, actor=actor, reason=reason
            )
        # The leads app refuses a lead that is not qualified (submitted, rejected, closed).
        locked = lead_assign(
            lead=locked,
            actor=actor,
            reseller=reseller,
            salesperson=salesperson,
            note=reason,
            at=now,
        )
        assignment = Assignment.objects.create(
            lead=locked, reseller=reseller, salesperson=salesperson, assigned_at=now,
            assigned_by=acting_user(actor), explanation={"manual": True, "reason": reason},
        )  # fmt: skip
        target = reseller or salesperson
        audit_record(
            subject=locked, action="assigned", actor=actor, target=str(target), reason=reason,
            changes={"assignee": [None, str(target)]},
        )  # fmt: skip
    return assignment


def _live(lead: Lead, reseller: Partner | None, salesperson: User | None) -> Assignment:
    """The lead's live assignment, if it is this assignee's; else 'not yours' (a 404 upstream)."""
    live = Assignment.objects.filter(lead=lead, ended_at__isnull=True).first()
    mine = live is not None and (
        (reseller is not None and live.reseller_id == reseller.pk)
        or (salesperson is not None and live.salesperson_id == salesperson.pk)
    )
    if not mine or live is None:
        raise NotYours(_("This lead is not assigned to you."), code="not_yours")
    return live


def assignment_open(
    *,
    lead: Lead,
    actor: User | None,
    reseller: Partner | None = None,
    salesperson: User | None = None,
) -> bool:
    """The assignee's first view marks the lead opened; later views change nothing."""
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        live = _live(locked, reseller, salesperson)
        if live.opened_at is not None:
            return False
        live.opened_at = timezone.now()
        live.save(update_fields=["opened_at"])
        counters.touch([locked.pk])
        if locked.status == LeadStatus.ASSIGNED:
            lead_transition(lead=locked, to=LeadStatus.OPENED, actor=actor)
    return True


def assignee_declare(
    *,
    lead: Lead,
    to: str,
    actor: User | None,
    reseller: Partner | None = None,
    salesperson: User | None = None,
    amount: Decimal | None = None,
    won_date: date | None = None,
    lost_reason: str = "",
) -> Lead:
    """In progress, won (with the amount) or lost (with the reason), straight from the inbox:
    an unopened lead is opened on the way."""
    if to not in (LeadStatus.IN_PROGRESS, LeadStatus.WON, LeadStatus.LOST):
        raise DomainError(_("Choose in progress, won or lost."), code="illegal_status")
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        _live(locked, reseller, salesperson)
        assignment_open(lead=locked, actor=actor, reseller=reseller, salesperson=salesperson)
        return lead_transition(
            lead=locked, to=to, actor=actor, amount=amount,
            won_date=won_date or (timezone.localdate() if to == LeadStatus.WON else None),
            lost_reason=lost_reason,
        )  # fmt: skip


def assignment_decline(
    *,
    lead: Lead,
    actor: User | None,
    reason: str,
    reseller: Partner | None = None,
    salesperson: User | None = None,
) -> Assignment | None:
    """The assignee gives the lead back with a reason; the router picks another (never this one
    again). Returns the new assignment, or None when no one else can take it."""
    reason = _reason_required(reason, _("Say why you decline this lead."))
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        _live(locked, reseller, salesperson)
        # A lead with a declared status is refused by the leads app's lifecycle.
        assignment_end(
            lead=locked, end=AssignmentEnd.DECLINED, at=timezone.now(), actor=actor, reason=reason
        )
    return route_lead(lead_id=lead.pk)


def assignment_end(*, lead: Lead, end: str, at: datetime, actor: User | None, reason: str) -> Lead:
    """End the live assignment and put the lead back to qualified, on its timeline (the caller
    holds the lead's lock and routes it again); the leads app refuses it unless the lead is
    assigned or opened."""
    unassigned = lead_unassign(lead=lead, actor=actor, kind=end, note=reason, at=at)
    Assignment.objects.filter(lead=lead, ended_at__isnull=True).update(
        ended_at=at, end=end, end_reason=reason[:200]
    )
    return unassigned


def reseller_profile_update(
    *,
    partner: Partner,
    departements: list[str],
    categories: list[int],
    monthly_capacity: int,
    actor: User | None,
) -> ResellerProfile:
    """What a reseller takes: the départements it serves, its products (none: all), how many
    leads a month. Audited, since it decides who receives leads."""
    if partner.kind != PartnerKind.RESELLER:
        raise DomainError(_("Only a reseller receives leads."), code="not_a_reseller")
    if not departements:
        raise DomainError(
            _("Choose at least one département."),
            code="departements_required",
            fields={"departements": _("Required.")},
        )
    if not 1 <= monthly_capacity <= 1000:
        raise DomainError(
            _("A monthly capacity is between 1 and 1,000 leads."),
            code="capacity_out_of_range",
            fields={"monthly_capacity": _("Between 1 and 1,000.")},
        )
    with transaction.atomic():
        # The same row lock as the router's: a routing in progress finishes on the old figures.
        ResellerProfile.objects.get_or_create(partner=partner)
        profile = ResellerProfile.objects.select_for_update().get(partner=partner)
        before = {
            "departements": sorted(partner.served_departements.values_list("code", flat=True)),
            "categories": sorted(profile.categories.values_list("pk", flat=True)),
            "monthly_capacity": profile.monthly_capacity,
        }
        partner.served_departements.set(Departement.objects.filter(code__in=departements))
        profile.categories.set(categories)
        profile.monthly_capacity = monthly_capacity
        profile.save(update_fields=["monthly_capacity"])
        after = {
            "departements": sorted(departements),
            "categories": sorted(categories),
            "monthly_capacity": monthly_capacity,
        }
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            audit_record(subject=partner, action="routing_profile", actor=actor, changes=changes)
    return profile
