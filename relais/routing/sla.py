"""SLA timers on assignments, swept by the task worker every few minutes (``core.scheduling``).

Defaults (settings ``RELAIS_SLA_*``): not opened in 48 h → reminder; not opened in 96 h →
reassigned to the next assignee; no status 30 days after assignment → reminder; not closed in
90 days → escalated to the managers. Each deadline is claimed by a unique ``SlaEvent`` row before
anything is sent, so a sweep run twice, or two sweeps at once, act once. Each act is on the lead's
timeline and counted in the assignee's KPIs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.accounts.selectors import manager_emails
from relais.core.http import absolute_url
from relais.leads import counters
from relais.leads.choices import LeadStatus
from relais.leads.lifecycle import UNASSIGN, lead_timeline_add
from relais.leads.models import Lead
from relais.routing.choices import AssignmentEnd, SlaEventKind
from relais.routing.models import Assignment, SlaEvent
from relais.routing.router import lead_route
from relais.routing.services import assignment_end

Kind = SlaEventKind


def _claim(assignment: Assignment, kind: str, now: datetime) -> bool:
    """True for the first claim of this deadline; the unique constraint settles races."""
    try:
        with transaction.atomic():
            SlaEvent.objects.create(assignment=assignment, kind=kind, at=now)
            counters.touch([assignment.lead_id])  # a reminder counts in the KPIs
    except IntegrityError:
        return False
    return True


def _due(kind: str, cutoff: datetime) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(ended_at__isnull=True, assigned_at__lte=cutoff)
        .exclude(sla_events__kind=kind)
        .select_related("lead", "reseller", "salesperson")
        .order_by("pk")
    )


def _recipients(assignment: Assignment) -> tuple[str, list[str]]:
    if assignment.salesperson is not None:
        return str(assignment.salesperson), [assignment.salesperson.email]
    partner = assignment.reseller
    assert partner is not None
    members = [m.user.email for m in partner.members.select_related("user") if m.user.is_active]
    return partner.display_name, members or [partner.email]


def _mail(to: list[str], name: str, lead: Lead, subject: str, message: str) -> None:
    url = absolute_url(reverse("portal:inbox_lead", args=[lead.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"recipient": name, "message": message, "lead": lead, "url": url}
        body = render_to_string("routing/email/sla.txt", context)
        send_mail(subject, body, None, [e for e in to if e])


def _remind(assignment: Assignment, kind: str, now: datetime, message: str) -> None:
    lead = assignment.lead
    lead_timeline_add(lead=lead, kind=kind, note=message, at=now)
    name, to = _recipients(assignment)
    subject = _("Reminder: lead %(id)s is waiting for you") % {"id": lead.pk}
    transaction.on_commit(lambda: _mail(to, name, lead, subject, message))


def _open_reminders(now: datetime) -> int:
    cutoff = now - timedelta(hours=settings.RELAIS_SLA_OPEN_REMINDER_HOURS)
    done = 0
    for a in _due(Kind.OPEN_REMINDER, cutoff).filter(opened_at__isnull=True):
        with transaction.atomic():
            if _claim(a, Kind.OPEN_REMINDER, now):
                _remind(a, Kind.OPEN_REMINDER, now, _("This lead has not been opened yet."))
                done += 1
    return done


def _expiries(now: datetime) -> int:
    cutoff = now - timedelta(hours=settings.RELAIS_SLA_REASSIGN_HOURS)
    rerouted = []
    # Only a lead still waiting for its assignee is taken back (the leads app refuses any other).
    waiting = _due(Kind.EXPIRED, cutoff).filter(opened_at__isnull=True, lead__status__in=UNASSIGN)
    for a in waiting:
        with transaction.atomic():
            lead = Lead.objects.select_for_update(of=("self",)).get(pk=a.lead_id)
            a.refresh_from_db(fields=["opened_at", "ended_at"])
            moved = a.opened_at or a.ended_at or lead.status not in UNASSIGN
            if moved or not _claim(a, Kind.EXPIRED, now):
                continue  # opened or moved meanwhile, or another sweep took it
            hours = settings.RELAIS_SLA_REASSIGN_HOURS
            note = _("Not opened within %(hours)s hours: reassigned.") % {"hours": hours}
            assignment_end(
                lead=lead,
                end=AssignmentEnd.EXPIRED,
                at=now,
                actor=None,
                reason=note,
                data={"hours": hours},
            )
        rerouted.append(a.lead_id)
    for lead_id in rerouted:
        lead_route(lead_id=lead_id, now=now)
    return len(rerouted)


def _status_reminders(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.RELAIS_SLA_STATUS_REMINDER_DAYS)
    done = 0
    waiting = _due(Kind.STATUS_REMINDER, cutoff).filter(lead__status=LeadStatus.OPENED)
    for a in waiting:
        with transaction.atomic():
            if _claim(a, Kind.STATUS_REMINDER, now):
                message = _("No status has been declared on this lead: in progress, won or lost?")
                _remind(a, Kind.STATUS_REMINDER, now, message)
                done += 1
    return done


def _escalations(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.RELAIS_SLA_ESCALATION_DAYS)
    open_leads = _due(Kind.ESCALATED, cutoff).exclude(
        lead__status__in=(LeadStatus.WON, LeadStatus.LOST)
    )
    escalated = []
    for a in open_leads:
        with transaction.atomic():
            if _claim(a, Kind.ESCALATED, now):
                days = settings.RELAIS_SLA_ESCALATION_DAYS
                note = _("Not closed %(days)s days after assignment.") % {"days": days}
                lead_timeline_add(
                    lead=a.lead, kind=Kind.ESCALATED, note=note, at=now, data={"days": days}
                )
                escalated.append(a.lead_id)
    if escalated:
        transaction.on_commit(lambda: _tell_managers(escalated))
    return len(escalated)


def _tell_managers(lead_ids: list[int]) -> None:
    emails = manager_emails()
    if emails:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(count)s leads not closed in time") % {"count": len(lead_ids)}
            lines = [absolute_url(reverse("leads:detail", args=[pk])) for pk in lead_ids[:200]]
            send_mail(subject, "\n".join(lines), None, emails)


STEPS: tuple[tuple[str, Callable[[datetime], int]], ...] = (
    ("reminders", _open_reminders),
    ("reassigned", _expiries),
    ("status reminders", _status_reminders),
    ("escalated", _escalations),
)


def sla_sweep(now: datetime | None = None) -> str:
    """Act on every deadline passed at ``now``; returns a one-line summary."""
    now = now or timezone.now()
    return ", ".join(f"{name}: {step(now)}" for name, step in STEPS)
