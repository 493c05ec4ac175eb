"""Events the partners app publishes for higher apps (outbound webhooks) to act on."""

from __future__ import annotations

from dataclasses import dataclass

from relais.core.events import Event


@dataclass(frozen=True)
class PartnerCreated(Event):
    partner_id: int


@dataclass(frozen=True)
class PartnerStatusChanged(Event):
    partner_id: int
    from_status: str
    to_status: str


@dataclass(frozen=True)
class ContractSigned(Event):
    partner_id: int
    signature_id: int
