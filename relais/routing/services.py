"""Routing's writes besides the router: a manager's assignment, and what the assignee does with a
lead (opens it, declares a status, declines it). Each takes the lead's row lock first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.accounts.selectors import manager_emails
from relais.core.audit import acting_user, audit_record
from relais.core.errors import DomainError, NotYours, TransitionError
from relais.core.http import absolute_url
from relais.core.models import Departement
from relais.leads import counters
from relais.leads.choices import LeadStatus
from relais.leads.lifecycle import UNASSIGN, lead_assign, lead_unassign
from relais.leads.models import Lead
from relais.leads.services import lead_transition
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.choices import AssignmentEnd, CoverageRequestStatus
from relais.routing.models import Assignment, CoverageRequest, ResellerProfile, SalesTerritory
from relais.routing.router import lead_route, leads_route
from relais.routing.selectors import ProfileWish, reseller_profile_of

__all__ = [
    "assignee_declare",
    "assignment_create",
    "assignment_decline",
    "assignment_end",
    "assignment_introduce",
    "assignment_open",
    "coverage_request_approve",
    "coverage_request_refuse",
    "coverage_request_submit",
    "lead_route",
    "leads_route",
    "reseller_profile_update",
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
            lead=locked,
            reseller=reseller,
            salesperson=salesperson,
            assigned_at=now,
            assigned_by=acting_user(actor),
            explanation={"manual": True, "reason": reason},
        )
        target = reseller or salesperson
        audit_record(
            subject=locked,
            action="assigned",
            actor=actor,
            target=str(target),
            reason=reason,
            changes={"assignee": [None, str(target)]},
        )
    return assignment


def assignment_introduce(
    *, lead: Lead, salesperson: User, actor: User | None, note: str
) -> Assignment:
    """A colleague's introduction brought this lead to ``salesperson``: it is theirs, with the
    assignment record its SLA timers run on (``routing.sla``), without the territory check a
    manager's choice needs (the introduction chose the person, not a map). Run again while it
    is theirs: the same assignment."""
    if not salesperson.is_staff_member or not salesperson.is_active:
        raise DomainError(_("Only an active colleague works an introduction."), code="not_staff")
    now = timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        live = Assignment.objects.filter(lead=locked, ended_at__isnull=True).first()
        if live is not None and live.salesperson_id == salesperson.pk:
            return live
        if locked.status in UNASSIGN:
            locked = assignment_end(
                lead=locked, end=AssignmentEnd.REASSIGNED, at=now, actor=actor, reason=note
            )
        locked = lead_assign(
            lead=locked, actor=actor, reseller=None, salesperson=salesperson, note=note, at=now
        )
        assignment = Assignment.objects.create(
            lead=locked,
            salesperson=salesperson,
            assigned_at=now,
            assigned_by=acting_user(actor),
            explanation={"introduction": True, "reason": note},
        )
        audit_record(
            subject=locked,
            action="assigned",
            actor=actor,
            target=str(salesperson),
            reason=note,
            changes={"assignee": [None, str(salesperson)]},
        )
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
            lead=locked,
            to=to,
            actor=actor,
            amount=amount,
            won_date=won_date or (timezone.localdate() if to == LeadStatus.WON else None),
            lost_reason=lost_reason,
        )


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
    return lead_route(lead_id=lead.pk)


def assignment_end(
    *,
    lead: Lead,
    end: str,
    at: datetime,
    actor: User | None,
    reason: str,
    data: Mapping[str, Any] | None = None,
) -> Lead:
    """End the live assignment and put the lead back to qualified, on its timeline (the caller
    holds the lead's lock and routes it again); the leads app refuses it unless the lead is
    assigned or opened. ``data``: what the timeline's sentence is made of (``lead_unassign``)."""
    unassigned = lead_unassign(lead=lead, actor=actor, kind=end, note=reason, at=at, data=data)
    Assignment.objects.filter(lead=lead, ended_at__isnull=True).update(
        ended_at=at, end=end, end_reason=reason[:200]
    )
    return unassigned


def _check_profile(partner: Partner, departements: list[str], monthly_capacity: int) -> None:
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
    _check_profile(partner, departements, monthly_capacity)
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


# A reseller's request to change what it takes, decided by a manager. The router reads the
# profile alone, so leads keep following the current one until the request is approved.


def coverage_request_submit(
    *,
    partner: Partner,
    departements: list[str],
    categories: list[int],
    monthly_capacity: int,
    actor: User | None,
) -> CoverageRequest:
    """Ask for a new profile: validated as the profile itself, refused when it changes nothing,
    replacing the reseller's pending request if any. Audited; the managers are e-mailed."""
    _check_profile(partner, departements, monthly_capacity)
    current = reseller_profile_of(partner)
    asked = ProfileWish(sorted(departements), sorted(set(categories)), monthly_capacity)
    if asked == current:
        raise DomainError(
            _("That is what you take already: change a département, a product or the capacity."),
            code="no_change",
        )
    with transaction.atomic():
        # The partner's row lock makes two submissions at once one after the other: the second
        # replaces the first instead of tripping over the one-pending constraint.
        Partner.objects.select_for_update().get(pk=partner.pk)
        wish = CoverageRequest.objects.filter(
            partner=partner, status=CoverageRequestStatus.PENDING
        ).first() or CoverageRequest(partner=partner)
        wish.monthly_capacity = monthly_capacity
        wish.requested_at = timezone.now()
        wish.requested_by = acting_user(actor)
        wish.save()
        wish.departements.set(Departement.objects.filter(code__in=asked.departements))
        wish.categories.set(asked.categories)
        audit_record(
            subject=partner,
            action="coverage_requested",
            actor=actor,
            target=f"#{wish.pk}",
            changes=current.changes_to(asked),
        )
        transaction.on_commit(lambda: _tell_managers_of(wish))
    return wish


def _pending(coverage_request: CoverageRequest) -> CoverageRequest:
    """The request under its row lock, if still pending: two managers deciding at once, the
    second is told it was decided."""
    locked = CoverageRequest.objects.select_for_update().get(pk=coverage_request.pk)
    if locked.status != CoverageRequestStatus.PENDING:
        raise TransitionError(
            _("This request was already decided (%(status)s).")
            % {"status": locked.get_status_display()},
            code="already_decided",
        )
    return locked


def coverage_request_approve(
    *, coverage_request: CoverageRequest, actor: User | None
) -> CoverageRequest:
    """Apply the requested profile (through ``reseller_profile_update``, audited there as the
    manager's change) and tell the reseller."""
    with transaction.atomic():
        locked = _pending(coverage_request)
        reseller_profile_update(
            partner=locked.partner,
            departements=list(locked.departements.values_list("code", flat=True)),
            categories=list(locked.categories.values_list("pk", flat=True)),
            monthly_capacity=locked.monthly_capacity,
            actor=actor,
        )
        _decide(locked, CoverageRequestStatus.APPROVED, actor, "")
    return locked


def coverage_request_refuse(
    *, coverage_request: CoverageRequest, actor: User | None, reason: str
) -> CoverageRequest:
    """Keep the current profile, with the reason the reseller is told."""
    reason = _reason_required(reason, _("Say why you refuse this request."))
    with transaction.atomic():
        locked = _pending(coverage_request)
        _decide(locked, CoverageRequestStatus.REFUSED, actor, reason)
    return locked


def _decide(wish: CoverageRequest, status: str, actor: User | None, reason: str) -> None:
    wish.status = status
    wish.decided_at = timezone.now()
    wish.decided_by = acting_user(actor)
    wish.reason = reason[:300]
    wish.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    audit_record(
        subject=wish.partner,
        action=f"coverage_{status}",
        actor=actor,
        target=f"#{wish.pk}",
        reason=reason,
    )
    transaction.on_commit(lambda: _tell_reseller_of(wish))


def _tell_managers_of(wish: CoverageRequest) -> None:
    emails = manager_emails()
    if not emails:
        return
    with translation.override(settings.LANGUAGE_CODE):
        name = wish.partner.display_name
        subject = _("%(name)s asks to change what it takes") % {"name": name}
        url = absolute_url(reverse("routing:coverage_requests"))
        context = {"wish": wish, "name": name, "url": url}
        body = render_to_string("routing/email/coverage_request.txt", context)
    send_mail(subject, body, None, emails)


def _tell_reseller_of(wish: CoverageRequest) -> None:
    partner = wish.partner
    members = [m.user.email for m in partner.members.select_related("user") if m.user.is_active]
    with translation.override(settings.LANGUAGE_CODE):
        if wish.status == CoverageRequestStatus.APPROVED:
            subject = _("Your change of coverage is approved")
        else:
            subject = _("Your change of coverage is refused")
        context = {
            "wish": wish,
            "name": partner.display_name,
            "url": absolute_url(reverse("portal:coverage")),
        }
        body = render_to_string("routing/email/coverage_decided.txt", context)
    send_mail(subject, body, None, members or [partner.email])
