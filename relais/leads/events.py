"""Events the leads app publishes for higher apps (routing, commissions) to act on."""

from __future__ import annotations

from dataclasses import dataclass

from relais.core.events import Event


@dataclass(frozen=True)
class LeadQualified(Event):
    lead_id: int
