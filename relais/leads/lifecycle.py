"""A lead's lifecycle: the one table of moves, and the moves other apps make through it.

Only the leads app writes a lead's status and its timeline. People move a lead with
``services.lead_transition``; the routing app gives a lead to an assignee (``lead_assign``),
takes it back to route it again (``lead_unassign``) and notes what its timers did
(``lead_timeline_add``) through the functions here, so a move this table does not allow is
refused whoever asks, with the same message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.bulk import fastinsert
from relais.core import events
from relais.core.audit import acting_user
from relais.core.errors import DomainError, TransitionError
from relais.core.textcheck import refuse_bad_text
from relais.leads import counters
from relais.leads.choices import LeadStatus
from relais.leads.events import LeadRecorded
from relais.leads.models import Lead, LeadEvent
from relais.partners.models import Partner

S = LeadStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.QUALIFIED, S.REJECTED}),
    S.QUALIFIED: frozenset({S.ASSIGNED, S.REJECTED}),
    S.ASSIGNED: frozenset({S.OPENED}),
    S.OPENED: frozenset({S.IN_PROGRESS, S.WON, S.LOST}),
    S.IN_PROGRESS: frozenset({S.WON, S.LOST}),
    S.WON: frozenset(),
    S.LOST: frozenset(),
    S.REJECTED: frozenset(),
}
# Back to qualified, to be routed again (declined, not opened in time, reassigned by a manager):
# from these statuses, and only through ``lead_unassign``, which also clears the assignee while
# the routing app ends its assignment — a bare status change would leave the lead in an inbox.
UNASSIGN = frozenset({S.ASSIGNED, S.OPENED})
# Reopening a closed lead is a manager's decision, and only these moves do it.
REOPEN: dict[str, str] = {S.WON: S.QUALIFIED, S.LOST: S.QUALIFIED, S.REJECTED: S.SUBMITTED}
STAMP = {
    s: f"{s}_at"
    for s in (S.QUALIFIED, S.REJECTED, S.ASSIGNED, S.OPENED, S.IN_PROGRESS, S.WON, S.LOST)
}


def illegal_move(
    current: LeadStatus, target: LeadStatus, allowed: frozenset[str]
) -> TransitionError:
    """The refusal of a move the table does not allow, naming the moves it does."""
    possible = ", ".join(str(S(s).label) for s in sorted(allowed)) or "—"
    return TransitionError(
        _("A lead cannot go from %(current)s to %(target)s; possible: %(allowed)s.")
        % {"current": current.label, "target": target.label, "allowed": possible},
        code="illegal_transition",
    )


def move_check(*, current: LeadStatus, target: LeadStatus, actor: User | None) -> bool:
    """Refuse a move a person asks for that the lifecycle does not allow; True when the move
    reopens a closed lead."""
    reopening = REOPEN.get(current) == target
    if reopening and not (actor is not None and actor.can_manage):
        raise TransitionError(
            _("Only a manager can reopen a closed lead."), code="reopen_forbidden"
        )
    if target == S.QUALIFIED and current in UNASSIGN:
        raise TransitionError(
            _(
                "An assigned lead goes back to qualified through routing only: reassign it,"
                " or its assignee declines it."
            ),
            code="unassign_through_routing",
        )
    if target not in TRANSITIONS[current] and not reopening:
        raise illegal_move(current, target, TRANSITIONS[current])
    return reopening


def timeline_write(
    *, lead: Lead, kind: str, actor: User | None, at: datetime, note: str = "", **data: Any
) -> LeadEvent:
    """One entry of the lead's timeline; ``from_status``/``to_status`` in ``data`` for a move."""
    entry = LeadEvent.objects.create(
        lead=lead,
        at=at,
        actor=acting_user(actor),
        kind=kind,
        from_status=data.pop("from_status", ""),
        to_status=data.pop("to_status", ""),
        note=note,
        data=data,
    )
    events.publish(LeadRecorded(lead.pk, entry.pk, kind, entry.from_status, entry.to_status))
    return entry


def _lock(lead: Lead) -> Lead:
    # The caller usually holds the lock already (routing takes it first); taking it again in
    # the same transaction costs one query and keeps these safe for a caller that does not.
    return Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)


def lead_assign(
    *,
    lead: Lead,
    actor: User | None,
    reseller: Partner | None,
    salesperson: User | None,
    note: str,
    at: datetime,
) -> Lead:
    """A qualified lead given to a reseller or a salesperson, on its timeline with ``note``
    (the routing app records its assignment in the same transaction)."""
    if reseller is None and salesperson is None:
        raise DomainError(
            _("Choose an active reseller or a salesperson with a territory."),
            code="not_an_assignee",
        )
    refuse_bad_text(LeadEvent, {"note": note})
    with transaction.atomic():
        locked = _lock(lead)
        current = S(locked.status)
        move_check(current=current, target=S.ASSIGNED, actor=actor)
        locked.status, locked.assigned_at = S.ASSIGNED, at
        locked.assigned_reseller, locked.assigned_salesperson = reseller, salesperson
        locked.save(
            update_fields=["status", "assigned_at", "assigned_reseller", "assigned_salesperson"]
        )
        counters.touch([locked.pk])
        timeline_write(
            lead=locked,
            kind="status",
            actor=actor,
            at=at,
            note=note,
            from_status=current,
            to_status=S.ASSIGNED,
        )
    return locked


def lead_unassign(
    *,
    lead: Lead,
    actor: User | None,
    kind: str,
    note: str,
    at: datetime,
    data: Mapping[str, Any] | None = None,
) -> Lead:
    """An assigned or opened lead back to qualified with no assignee, to be routed again;
    ``kind`` says why on its timeline (declined, expired, reassigned), ``data`` what its
    sentence is made of (the hours an expired lead waited). Not a qualification:
    ``qualified_at`` keeps the first one and no ``LeadQualified`` is published (the caller
    routes the lead again itself)."""
    refuse_bad_text(LeadEvent, {"note": note})
    with transaction.atomic():
        locked = _lock(lead)
        current = S(locked.status)
        if current not in UNASSIGN:
            raise TransitionError(
                _(
                    "This lead is %(status)s: only an assigned or opened lead can be taken back"
                    " from its assignee."
                )
                % {"status": current.label},
                code="illegal_transition",
            )
        locked.status = S.QUALIFIED
        locked.assigned_reseller, locked.assigned_salesperson = None, None
        locked.save(update_fields=["status", "assigned_reseller", "assigned_salesperson"])
        counters.touch([locked.pk])
        timeline_write(
            lead=locked,
            kind=kind,
            actor=actor,
            at=at,
            note=note,
            from_status=current,
            to_status=S.QUALIFIED,
            **dict(data or {}),
        )
    return locked


def leads_timeline_add(
    *, entries: Sequence[tuple[Lead, str, Mapping[str, Any]]], kind: str, at: datetime
) -> None:
    """``lead_timeline_add`` for a batch the router holds (the leads no one could take): one
    INSERT for all of them, through the fenced fast path (``relais.bulk``), each entry a lead,
    its note and the data its sentence is made of."""
    rows = [
        fastinsert.new(LeadEvent, lead=lead, at=at, kind=kind, note=note, data=dict(data))
        for lead, note, data in entries
    ]
    if rows:
        fastinsert.insert(rows)


def lead_timeline_add(
    *,
    lead: Lead,
    kind: str,
    note: str,
    at: datetime,
    actor: User | None = None,
    data: Mapping[str, Any] | None = None,
) -> LeadEvent:
    """An entry on the lead's timeline that changes nothing else (a reminder, an escalation);
    ``data``: what the timeline's sentence is made of (the days before an escalation), so it
    is said in the reader's language."""
    refuse_bad_text(LeadEvent, {"note": note})
    return timeline_write(lead=lead, kind=kind, actor=actor, at=at, note=note, **dict(data or {}))
