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
