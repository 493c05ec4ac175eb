"""Where an introducer's lead is and what happens next, in one short sentence per lead.

An introducer waits on others (a manager who checks, a reseller who calls): a bare status
("Qualified", for months) says neither why nor for how long. Each status has its sentence here;
a lead held unassigned says why, from the router's last reason. Nothing names another partner
or tells what only the assignee knows: the reseller is "a reseller", the earlier referral of a
duplicate "an earlier referral" (issue 22's privacy rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from relais.leads.choices import LeadStatus, RejectionReason, ReviewReason
from relais.leads.models import Lead, LeadEvent
from relais.leads.timeline import system_msgid

S = LeadStatus
# The router's reasons (``routing.router._no_one_reason``) as an introducer reads them.
NO_ONE_COVERS = frozenset(
    {
        "No active reseller serves this département.",
        "No salesperson's territory covers this département.",
    }
)
ALL_FULL = "Everyone serving this département is at their monthly capacity."


def _held(msgid: str | None) -> str:
    if msgid in NO_ONE_COVERS:
        return _(
            "No reseller covers this area yet: your lead waits for one, and a manager can"
            " give it to someone by hand."
        )
    if msgid == ALL_FULL:
        return _(
            "The resellers of this area have had all the leads they take this month: yours"
            " goes to one as soon as one has room."
        )
    return _("No reseller could take it yet: a manager is looking for one.")


def _submitted(lead: Lead) -> str:
    if lead.review_reason == ReviewReason.CONFLICT:
        return _(
            "Already known to us: this prospect was passed on before. A manager checks which"
            " referral came first and keeps you informed here."
        )
    if lead.review_reason:
        return _("A manager checks this lead before it goes further.")
    return _("Received: we check it, then look for the right reseller.")


def _rejected(lead: Lead) -> str:
    sentences: dict[str, str] = {
        RejectionReason.DUPLICATE: _(
            "Already known to us: an earlier referral of this prospect counts, not this one."
        ),
        RejectionReason.OUT_OF_SCOPE: _("Outside what we offer or the area we serve."),
        RejectionReason.INVALID: _("The contact details could not be used to reach them."),
        RejectionReason.SPAM: _("Not taken: it did not look like a genuine request."),
    }
    return sentences.get(lead.rejection_reason, _("Not taken further."))


def _assigned(lead: Lead) -> str:
    hours = settings.RELAIS_SLA_OPEN_REMINDER_HOURS
    if lead.assigned_salesperson_id:
        return _(
            "One of our salespeople has it: they contact the prospect within %(hours)s hours."
        ) % {"hours": hours}
    return _("A reseller has it: they contact the prospect within %(hours)s hours.") % {
        "hours": hours
    }


def next_step(lead: Lead, held: str | None = None) -> str:
    """The sentence for ``lead``; ``held`` is the msgid of the router's last reason when the
    lead waits, qualified, with no assignee (``held_reasons``)."""
    status = lead.status
    by_us = bool(lead.assigned_salesperson_id)
    if status == S.SUBMITTED:
        return _submitted(lead)
    if status == S.QUALIFIED:
        return _held(held) if held is not None else _("We are looking for the right reseller.")
    if status == S.ASSIGNED:
        return _assigned(lead)
    if status == S.OPENED:
        if by_us:
            return _("Our salesperson has opened it and is contacting the prospect.")
        return _("The reseller has opened it and is contacting the prospect.")
    if status == S.IN_PROGRESS:
        if by_us:
            return _("Our salesperson is discussing the project with the prospect.")
        return _("The reseller is discussing the project with the prospect.")
    if status == S.WON:
        return _("Won: your commission is counted in your earnings.")
    if status == S.LOST:
        return _("The prospect did not go ahead.")
    return _rejected(lead)


def held_reasons(leads: Iterable[Lead]) -> dict[int, str | None]:
    """For each qualified lead with no assignee, the msgid of the router's last reason for not
    routing it ('' when it never said one): one query for a page of leads."""
    waiting = [
        lead.pk
        for lead in leads
        if lead.status == S.QUALIFIED
        and not lead.assigned_reseller_id
        and not lead.assigned_salesperson_id
    ]
    if not waiting:
        return {}
    reasons: dict[int, Any] = {}
    events = LeadEvent.objects.filter(lead_id__in=waiting, kind="unassigned").order_by("at", "pk")
    for lead_id, note, data in events.values_list("lead_id", "note", "data"):
        reasons[lead_id] = system_msgid(note, data) or ""  # the last one stays
    return reasons


def next_steps(leads: Iterable[Lead]) -> list[tuple[Lead, str]]:
    """Each lead of a page with its sentence."""
    leads = list(leads)
    held = held_reasons(leads)
    return [(lead, next_step(lead, held.get(lead.pk))) for lead in leads]


def submission_message(lead: Lead) -> tuple[bool, str]:
    """What the introducer is told once a lead is in: (recorded as a new lead, the sentence).
    A duplicate is said to be one — known already, never whose — with what to do next."""
    company = settings.RELAIS_COMPANY_NAME
    if lead.status == S.REJECTED and lead.rejection_reason == RejectionReason.DUPLICATE:
        return False, _(
            "You passed this prospect to us already: it is not counted twice. Follow the first"
            " lead in your list; if it is a new project of theirs, tell your contact at"
            " %(company)s."
        ) % {"company": company}
    if lead.review_reason == ReviewReason.CONFLICT:
        return False, _(
            "This prospect is already known to us: they were passed on before. A manager checks"
            " which referral came first; you will see the outcome in your list. If you have"
            " been in touch with them lately, tell your contact at %(company)s."
        ) % {"company": company}
    if lead.review_reason:
        return False, _("Lead recorded: a manager checks it before it goes further.")
    return True, _(
        "Thank you: your lead is recorded. We check it, then look for the right reseller."
    )
