"""A lead's timeline as people read it: each event one sentence, in the reader's language.

An event stores what happened (its kind, the statuses, its data) and never the sentence: the
sentence is made here, when the page is shown, so a lead submitted in French reads in English
for an English reader. What a person typed (a reason, a note) is quoted as they wrote it. What
the system wrote down is a deferred message in ``data["says"]`` (``core.deferred``), translated
here; rows written before that stored the text itself, shown as written unless it is one of the
system's known sentences (translated again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from relais.core.deferred import is_deferred, say
from relais.core.timeline import Entry
from relais.leads.choices import Channel, LeadStatus, ReviewReason
from relais.leads.models import LeadEvent

# Sentences the system stored as text before it stored messages (routing's reasons, the SLA's
# reminders, the attribution rule): an old row holding one, in whichever language, is shown in
# the reader's. Listed here by their msgids (the apps that wrote them sit above this one).
KNOWN_NOTES = (
    gettext_noop("No salesperson's territory covers this département."),
    gettext_noop("No active reseller serves this département."),
    gettext_noop("Everyone serving this département is at their monthly capacity."),
    gettext_noop("No one serving this département can take it (product, capacity or declined)."),
    gettext_noop("This lead has not been opened yet."),
    gettext_noop("No status has been declared on this lead: in progress, won or lost?"),
    gettext_noop("Rule: the last referral wins."),
)
# Kinds whose sentence says all the system's note said: the note is not repeated.
AMOUNTS = frozenset({"collected", "refunded"})
SELF_EXPLAINED = frozenset({"open_reminder", "status_reminder", "escalated", "expired"})


@cache
def _known_notes() -> dict[str, str]:
    """Each known sentence, as written in every language, → its msgid."""
    known = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            known.update({_(msgid): msgid for msgid in KNOWN_NOTES})
    return known


def _status(value: str) -> str:
    return str(LeadStatus(value).label) if value in LeadStatus.values else value


def _review(value: str) -> str:
    return str(ReviewReason(value).label) if value in ReviewReason.values else value


def _submitted(event: LeadEvent) -> str:
    data = event.data or {}
    channel = data.get("channel", "")
    label = Channel(channel).label if channel in Channel.values else channel
    # An event written without its channel (the demo's) says only that the lead came in.
    parts = [
        _("Lead received: %(channel)s.") % {"channel": label} if label else _("Lead received.")
    ]
    original, review = data.get("duplicate_of"), data.get("review", "")
    if original and event.to_status == LeadStatus.REJECTED:
        parts.append(_("A duplicate of lead #%(original)s: rejected.") % {"original": original})
    elif original and review == ReviewReason.CONFLICT:
        parts.append(
            _(
                "Lead #%(original)s has the same prospect from another introducer: held until a"
                " manager decides."
            )
            % {"original": original}
        )
    elif review:
        parts.append(_("Held for a manager: %(reason)s.") % {"reason": _review(review)})
    return " ".join(parts)


def _move(event: LeadEvent) -> str:
    if not event.from_status:
        return _("Status: %(to)s") % {"to": _status(event.to_status)}
    return _("Status: %(from)s → %(to)s") % {
        "from": _status(event.from_status),
        "to": _status(event.to_status),
    }


def _reopened(event: LeadEvent) -> str:
    return _("Reopened: %(from)s → %(to)s") % {
        "from": _status(event.from_status),
        "to": _status(event.to_status),
    }


def _expired(event: LeadEvent) -> str:
    hours = (event.data or {}).get("hours")
    if hours:
        return _("Not opened within %(hours)s hours: taken back to be routed again.") % {
            "hours": hours
        }
    return _("Not opened in time: taken back to be routed again.")


def _escalated(event: LeadEvent) -> str:
    days = (event.data or {}).get("days")
    if days:
        return _("Escalated to the managers: not closed %(days)s days after assignment.") % {
            "days": days
        }
    return _("Escalated to the managers: not closed in time.")


def _attribution(event: LeadEvent) -> str:
    data = event.data or {}
    winner, loser = data.get("winner"), data.get("loser")
    if winner == event.lead_id:
        return _(
            "Attribution settled: this lead keeps the prospect; lead #%(other)s is rejected as"
            " its duplicate."
        ) % {"other": loser}
    return _(
        "Attribution settled: lead #%(other)s keeps the prospect; this one is rejected as its"
        " duplicate."
    ) % {"other": winner}


def _released(event: LeadEvent) -> str:
    return _("Hold lifted: %(reason)s.") % {"reason": _review((event.data or {}).get("review", ""))}


SENTENCES: dict[str, Callable[[LeadEvent], str]] = {
    "submitted": _submitted,
    "status": _move,
    "reopened": _reopened,
    "unassigned": lambda e: _("Could not be routed."),
    "declined": lambda e: _("Declined by its assignee: to be routed again."),
    "reassigned": lambda e: _("Taken back by a manager, to be assigned again."),
    "expired": _expired,
    "open_reminder": lambda e: _("Reminder sent to the assignee: not opened yet."),
    "status_reminder": lambda e: _("Reminder sent to the assignee: no status declared yet."),
    "escalated": _escalated,
    "attribution": _attribution,
    "released": _released,
    # The amount follows, formatted by the page (``Entry.amount``).
    "collected": lambda e: _("Money received:"),
    "refunded": lambda e: _("Refund or cancellation:"),
    "notice_sent": lambda e: _("Privacy notice sent to the prospect."),
}


def _unknown(event: LeadEvent) -> str:
    """A kind this presenter does not know yet: its code, and the move if it made one."""
    if event.to_status:
        return f"{event.kind} · {_move(event)}"
    return event.kind


def system_msgid(note: str, data: dict[str, Any] | None = None) -> str | None:
    """The msgid of what the system wrote on an event (its deferred message's, or the known
    sentence the note is in some language), None for other text: for pages that say something
    of their own for each reason (the portal tells an introducer what it means for them)."""
    says = (data or {}).get("says")
    if isinstance(says, dict) and is_deferred(says):
        return str(says["msgid"])
    return _known_notes().get((note or "").strip())


def system_note(note: str, data: dict[str, Any] | None = None) -> str:
    """What the system wrote on an event, in the reader's language: its deferred message, else
    one of its known sentences translated again, else the text as it was written. For pages
    that show an event's note alone (the unassigned queue, the portal's next step)."""
    says = (data or {}).get("says")
    if is_deferred(says):
        return say(says)
    note = (note or "").strip()
    msgid = _known_notes().get(note)
    return _(msgid) if msgid is not None else note


def _notes(event: LeadEvent) -> tuple[str, str]:
    """(the system's explanation, a person's words) of the event's note."""
    says = (event.data or {}).get("says")
    if is_deferred(says):  # the note column holds the same words, in the writer's language
        return say(says), ""
    note = event.note.strip()
    if not note:
        return "", ""
    if event.actor_id is not None and note not in _known_notes():
        return "", note
    # Written by the system (before it stored messages, or in a person's name: the rule that
    # settles a conflict at submission): known sentences translated, others as written.
    return ("" if event.kind in SELF_EXPLAINED else system_note(note)), ""


def lead_event_entry(event: LeadEvent) -> Entry:
    sentence = SENTENCES.get(event.kind, _unknown)(event)
    detail, quote = _notes(event)
    amount = (event.data or {}).get("amount") if event.kind in AMOUNTS else None
    return Entry(event.at, sentence, detail, quote, event.actor, amount or None)


def lead_timeline(events: Iterable[LeadEvent]) -> list[Entry]:
    """The lead's events as the page shows them (``events`` with their actors selected)."""
    return [lead_event_entry(event) for event in events]
