"""Events the leads app publishes for higher apps (routing, commissions) to act on."""

from __future__ import annotations

from dataclasses import dataclass

from relais.core.events import Event


@dataclass(frozen=True)
class LeadQualified(Event):
    lead_id: int


@dataclass(frozen=True)
class LeadWon(Event):
    lead_id: int


@dataclass(frozen=True)
class DealCollected(Event):
    """Money received for a won deal; ``event_id`` (its timeline entry) makes it unique."""

    lead_id: int
    event_id: int


@dataclass(frozen=True)
class DealRefunded(Event):
    """A won deal cancelled (the whole amount) or partly refunded."""

    lead_id: int
    event_id: int


@dataclass(frozen=True)
class LeadsSubmitted(Event):
    """Leads just received (one event per batch: intake writes a batch in one INSERT)."""

    lead_ids: list[int]


@dataclass(frozen=True)
class LeadRecorded(Event):
    """An entry written on one lead's timeline (a move, an assignment, a release...)."""

    lead_id: int
    entry_id: int
    kind: str
    from_status: str
    to_status: str


@dataclass(frozen=True)
class LeadsMoved(Event):
    """A batch of leads moved at once by the router (one event per batch)."""

    lead_ids: list[int]
    from_status: str
    to_status: str
