"""The router: which reseller gets a qualified lead, decided under lock and explained.

Order of preference (seed 002's norms): resellers below the yearly minimum first, then the
least served over 12 months, then the least loaded this month, then the oldest partner (a
recorded, deterministic tie-break: no randomness). Capacity is never exceeded: the candidates'
profile rows are locked, in a fixed order, while counting and assigning.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.choices import MANAGING_ROLES
from relais.accounts.models import User
from relais.core.audit import acting_user, audit_record
from relais.core.errors import DomainError
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead, LeadEvent
from relais.leads.services import lead_transition
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.models import Assignment, ResellerProfile


@dataclass
class Candidate:
    reseller: int
    name: str
    last_12_months: int
    this_month: int
    capacity: int
    excluded: str = ""


def _month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _candidates(lead: Lead, now: datetime) -> list[Candidate]:
    resellers = Partner.objects.filter(
        kind=PartnerKind.RESELLER,
        status=PartnerStatus.ACTIVE,
        served_departements=lead.departement_id,
    )
    ids = list(resellers.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    ResellerProfile.objects.bulk_create(
        [ResellerProfile(partner_id=i) for i in ids], ignore_conflicts=True
    )
    # The lock that keeps capacity: concurrent routings for these resellers wait here, in order.
    profiles = {
        p.partner_id: p
        for p in ResellerProfile.objects.select_for_update()
        .filter(partner_id__in=ids)
        .order_by("partner_id")
    }
    serving = set(ids)
    if lead.category_id:
        with_categories = set(
            ResellerProfile.objects.filter(
                partner_id__in=ids, categories__isnull=False
            ).values_list("partner_id", flat=True)
        )
        offering = set(
            ResellerProfile.objects.filter(
                partner_id__in=ids, categories=lead.category_id
            ).values_list("partner_id", flat=True)
        )
        serving = (serving - with_categories) | offering
    live = Assignment.objects.filter(reseller_id__in=ids).exclude(end=Assignment.End.DECLINED)
    counts = live.values("reseller_id").annotate(
        year=Count("pk", filter=Q(assigned_at__gte=now - timedelta(days=365))),
        month=Count("pk", filter=Q(assigned_at__gte=_month_start(now))),
    )
    by_id = {c["reseller_id"]: c for c in counts}
    declined = set(
        lead.assignments.filter(end=Assignment.End.DECLINED).values_list("reseller_id", flat=True)
    )
    names = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "company_name"))
    result = []
    for reseller_id in ids:
        count = by_id.get(reseller_id, {"year": 0, "month": 0})
        candidate = Candidate(
            reseller_id,
            names.get(reseller_id, ""),
            count["year"],
            count["month"],
            profiles[reseller_id].monthly_capacity,
        )
        if reseller_id not in serving:
            candidate.excluded = "product"
        elif reseller_id in declined:
            candidate.excluded = "declined"
        elif candidate.this_month >= candidate.capacity:
            candidate.excluded = "capacity"
        result.append(candidate)
    return result


def _preference(candidate: Candidate) -> tuple[int, int, float, int]:
    below_minimum = candidate.last_12_months < settings.RELAIS_ROUTING_YEARLY_MINIMUM
    return (
        0 if below_minimum else 1,
        candidate.last_12_months,
        candidate.this_month / max(candidate.capacity, 1),
        candidate.reseller,
    )


def route_lead(*, lead_id: int, now: datetime | None = None) -> Assignment | None:
    """Assign a qualified lead; safe to run twice (a lead no longer qualified is left alone)."""
    now = now or timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead_id)
        if lead.status != LeadStatus.QUALIFIED or lead.review_reason:
            return None
        candidates = _candidates(lead, now)
        eligible = sorted((c for c in candidates if not c.excluded), key=_preference)
        explanation: dict[str, Any] = {
            "rule": "below yearly minimum, fewest in 12 months, least loaded, oldest",
            "candidates": [asdict(c) for c in candidates],
        }
        if not eligible:
            reason = _no_one_reason(candidates)
            LeadEvent.objects.create(
                lead=lead, at=now, kind="unassigned", note=reason, data=explanation
            )
            transaction.on_commit(lambda: _tell_managers(lead, reason))
            return None
        chosen = eligible[0]
        explanation["chosen"] = chosen.reseller
        return _assign(lead, chosen.reseller, actor=None, at=now, explanation=explanation)


def _assign(
    lead: Lead, reseller_id: int, *, actor: Any, at: datetime, explanation: dict[str, Any]
) -> Assignment:
    assignment = Assignment.objects.create(
        lead=lead,
        reseller_id=reseller_id,
        assigned_at=at,
        assigned_by=acting_user(actor),
        explanation=explanation,
    )
    Lead.objects.filter(pk=lead.pk).update(assigned_reseller_id=reseller_id)
    lead_transition(
        lead=lead, to=LeadStatus.ASSIGNED, actor=actor, note=f"→ reseller {reseller_id}"
    )
    return assignment


def _no_one_reason(candidates: list[Candidate]) -> str:
    if not candidates:
        return _("No active reseller serves this département.")
    reasons = {c.excluded for c in candidates}
    if reasons == {"capacity"}:
        return _("Every reseller of this département is at its monthly capacity.")
    return _("No reseller of this département can take it (product, capacity or declined).")


def _tell_managers(lead: Lead, reason: str) -> None:
    emails = list(
        User.objects.filter(role__in=MANAGING_ROLES, is_active=True).values_list("email", flat=True)
    )
    if emails:
        subject = _("Lead %(id)s could not be routed") % {"id": lead.pk}
        url = settings.SITE_URL + f"/leads/{lead.pk}/"
        send_mail(subject, f"{reason}\n\n{url}", None, emails)


def assign_manually(*, lead: Lead, reseller: Partner, actor: Any, reason: str) -> Assignment:
    """A manager's choice, over the router's and over capacity; audited with the reason."""
    if reseller.kind != PartnerKind.RESELLER or reseller.status != PartnerStatus.ACTIVE:
        raise DomainError(_("Choose an active reseller."), code="not_a_reseller")
    if not reason.strip():
        raise DomainError(
            _("Say why you assign it by hand."),
            code="reason_required",
            fields={"reason": _("Required.")},
        )
    now = timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.status == LeadStatus.ASSIGNED:
            _end_current(locked, Assignment.End.REASSIGNED, now)
            lead_transition(
                lead=locked, to=LeadStatus.QUALIFIED, actor=actor, note=_("Reassigned by hand")
            )
            locked.refresh_from_db()
        if locked.status != LeadStatus.QUALIFIED:
            raise DomainError(
                _("Only a qualified or assigned lead can be assigned."), code="not_assignable"
            )
        assignment = _assign(
            locked,
            reseller.pk,
            actor=actor,
            at=now,
            explanation={"manual": True, "reason": reason.strip()},
        )
        audit_record(
            subject=locked,
            action="assigned",
            actor=actor,
            target=str(reseller),
            reason=reason.strip(),
            changes={"reseller": [None, reseller.pk]},
        )
    return assignment


def decline(*, lead: Lead, reseller: Partner, actor: Any, reason: str) -> None:
    """The reseller gives the lead back; the router picks another (never this one again)."""
    if not reason.strip():
        raise DomainError(
            _("Say why you decline this lead."),
            code="reason_required",
            fields={"reason": _("Required.")},
        )
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.assigned_reseller_id != reseller.pk or locked.status not in (
            LeadStatus.ASSIGNED,
            LeadStatus.OPENED,
        ):
            raise DomainError(_("This lead is not waiting for you."), code="not_yours")
        _end_current(locked, Assignment.End.DECLINED, timezone.now())
        Lead.objects.filter(pk=locked.pk).update(
            status=LeadStatus.QUALIFIED, assigned_reseller=None
        )
        LeadEvent.objects.create(
            lead=locked,
            at=timezone.now(),
            actor=actor,
            kind="declined",
            note=reason.strip(),
            from_status=locked.status,
            to_status=LeadStatus.QUALIFIED,
        )
    route_lead(lead_id=lead.pk)


def _end_current(lead: Lead, end: str, at: datetime) -> None:
    Assignment.objects.filter(lead=lead, ended_at__isnull=True).update(ended_at=at, end=end)
    Lead.objects.filter(pk=lead.pk).update(assigned_reseller=None)
