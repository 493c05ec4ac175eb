"""Events the commissions app publishes for higher apps (outbound webhooks) to act on. Each is
published in the transaction of the write it tells of (``core.events``): it exists exactly when
the line or the run does."""

from __future__ import annotations

from dataclasses import dataclass

from relais.core.events import Event


@dataclass(frozen=True)
class CommissionLinesCreated(Event):
    """Lines just written (a commission, a bonus, a clawback, a gift): one event per write."""

    line_ids: list[int]


@dataclass(frozen=True)
class CommissionLinesMoved(Event):
    """Lines moved together from one status to another (approved, released, paid)."""

    line_ids: list[int]
    from_status: str
    to_status: str


@dataclass(frozen=True)
class PaymentRunBuilt(Event):
    """A payment run was prepared: its lines reserved, its SEPA file written."""

    run_id: int


@dataclass(frozen=True)
class PaymentRunPaid(Event):
    """Every transfer of a payment run was recorded as paid."""

    run_id: int
