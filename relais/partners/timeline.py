"""A partner's timeline as people read it: each audit entry one sentence, in the reader's language.

An ``AuditEntry`` stores an action code, what changed (``{field: [before, after]}``, codes and
figures) and, for some, the words a person typed (``reason``). The sentence is made here, when the
page is shown: field names become their labels, status codes their labels, and a reason the
system composed is a deferred message in ``changes["says"]`` (``core.deferred``), translated
here. Old entries whose ``target`` holds a word translated when written ("status", "scorecard")
are read from their action instead; a reason stored as text is shown as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from relais.core.deferred import is_deferred, say
from relais.core.models import AuditEntry
from relais.core.timeline import Entry
from relais.partners.choices import ConflictStatus, Decision, DisputeStatus, PartnerStatus
from relais.partners.models import Partner

# The yearly review's proposals (the routing app's ``ReviewProposal``, above this one).
PROPOSALS = {
    "keep": gettext_lazy("Keep"),
    "coach": gettext_lazy("Coach"),
    "pause": gettext_lazy("Pause"),
    "remove": gettext_lazy("Remove"),
}
# Keys of ``changes`` that are not fields of the partner record (the routing profile's).
OTHER_FIELDS = {
    "departements": gettext_lazy("départements served"),
    "categories": gettext_lazy("products"),
    "monthly_capacity": gettext_lazy("monthly capacity"),
}


def _label(choices: type[models.TextChoices], value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "—")


def _field_label(name: str) -> str:
    try:
        label = str(getattr(Partner._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:  # a key that is no field of the record: its own label
        label = str(OTHER_FIELDS.get(name, name.replace("_", " ")))
    return label[:1].upper() + label[1:]


def _value(name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    try:
        field = Partner._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))


def _changed(entry: AuditEntry) -> str:
    return "; ".join(
        f"{_field_label(name)}: {_value(name, pair[0])} → {_value(name, pair[1])}"
        for name, pair in _changes(entry).items()
        if isinstance(pair, list) and len(pair) == 2
    )


def _changes(entry: AuditEntry) -> dict[str, Any]:
    return {k: v for k, v in (entry.changes or {}).items() if k != "says"}


def _after(entry: AuditEntry, name: str) -> Any:
    pair = (entry.changes or {}).get(name)
    return pair[1] if isinstance(pair, list) and len(pair) == 2 else None


def _move(entry: AuditEntry, name: str, choices: type[models.TextChoices]) -> tuple[str, str]:
    pair = (entry.changes or {}).get(name) or [None, None]
    return _label(choices, pair[0]), _label(choices, pair[1])


def _day(value: Any) -> str:
    day = parse_date(value) if isinstance(value, str) else value
    return formats.date_format(day, "SHORT_DATE_FORMAT") if isinstance(day, date) else "—"


def _status(entry: AuditEntry) -> str:
    before, after = _move(entry, "status", PartnerStatus)
    return _("Status: %(from)s → %(to)s") % {"from": before, "to": after}


def _decision(entry: AuditEntry) -> str:
    return _("Selection decision: %(decision)s.") % {
        "decision": _label(Decision, _after(entry, "decision"))
    }


def _declared(entry: AuditEntry) -> str:
    if _after(entry, "has_conflict"):
        return _("Conflict-of-interest declaration: a conflict is declared.")
    return _("Conflict-of-interest declaration: no conflict.")


def _reviewed(entry: AuditEntry) -> str:
    return _("Conflict-of-interest declaration reviewed: %(outcome)s.") % {
        "outcome": _label(ConflictStatus, _after(entry, "status"))
    }


def _audit_completed(entry: AuditEntry) -> str:
    failed = int(_after(entry, "failed_checks") or 0)
    return ngettext(
        "Audit completed: %(title)s; %(n)s check failed.",
        "Audit completed: %(title)s; %(n)s checks failed.",
        failed,
    ) % {"title": entry.target, "n": failed}


def _dispute(entry: AuditEntry) -> str:
    before, after = _move(entry, "status", DisputeStatus)
    return _("Dispute « %(subject)s »: %(from)s → %(to)s") % {
        "subject": entry.target,
        "from": before,
        "to": after,
    }


def _portfolio(entry: AuditEntry) -> str:
    deals = int(_after(entry, "deals") or 0)
    return ngettext(
        "Client portfolio imported: %(n)s deal.", "Client portfolio imported: %(n)s deals.", deals
    ) % {"n": deals}


def _review(entry: AuditEntry) -> str:
    proposal = entry.action.removeprefix("review_")
    return _("Yearly review: « %(proposal)s » accepted.") % {
        "proposal": PROPOSALS.get(proposal, proposal)
    }


SENTENCES: dict[str, Callable[[AuditEntry], str]] = {
    "created": lambda e: _("Partner record created."),
    "updated": lambda e: _("Details changed: %(changes)s.") % {"changes": _changed(e)},
    "status": _status,
    "scored": lambda e: (
        _("Scorecard filled in: %(total)s/100.") % {"total": _after(e, "total") or "—"}
    ),
    "decision": _decision,
    "declared": _declared,
    "reviewed": _reviewed,
    "audit_scheduled": lambda e: (
        _("Audit scheduled: %(title)s, due on %(day)s.")
        % {"title": e.target, "day": _day(_after(e, "due_date"))}
    ),
    "audit_completed": _audit_completed,
    "dispute_opened": lambda e: _("Dispute opened: %(subject)s.") % {"subject": e.target},
    "dispute": _dispute,
    "signed": lambda e: _("Signed: %(document)s.") % {"document": e.target},
    "portfolio": _portfolio,
    "iban_requested": lambda e: (
        _("New IBAN %(iban)s requested: it applies once confirmed by e-mail.")
        % {"iban": _after(e, "iban") or "—"}
    ),
    "routing_profile": lambda e: (
        _("Routing profile changed: %(changes)s.") % {"changes": _changed(e)}
    ),
    "coverage_requested": lambda e: (
        _("Asked to change what it takes: %(changes)s.") % {"changes": _changed(e)}
    ),
    "coverage_approved": lambda e: _("Change of coverage approved."),
    "coverage_refused": lambda e: _("Change of coverage refused."),
}
AMOUNTS = {"dispute_opened": "amount_at_stake"}


def _unknown(entry: AuditEntry) -> str:
    """An action this presenter does not know yet: its code, its target and its changes."""
    return " ".join(part for part in (entry.action, entry.target, _changed(entry)) if part)


def _sentence(entry: AuditEntry) -> str:
    if entry.action.startswith("review_"):
        return _review(entry)
    return SENTENCES.get(entry.action, _unknown)(entry)


def audit_entry(entry: AuditEntry) -> Entry:
    says = (entry.changes or {}).get("says")
    amount = _after(entry, AMOUNTS[entry.action]) if entry.action in AMOUNTS else None
    if is_deferred(says):  # the reason column holds the same words, in the writer's language
        return Entry(entry.at, _sentence(entry), say(says), "", entry.actor, amount or None)
    return Entry(entry.at, _sentence(entry), "", entry.reason, entry.actor, amount or None)


def partner_timeline(entries: Iterable[AuditEntry]) -> list[Entry]:
    """The partner's audit entries as its page shows them (with their actors selected)."""
    return [audit_entry(entry) for entry in entries]
