"""Events the challenges app publishes for higher apps (outbound webhooks) to act on, each in
the transaction of the lifecycle move it tells of (``services.challenge_move``)."""

from __future__ import annotations

from dataclasses import dataclass

from relais.core.events import Event


@dataclass(frozen=True)
class ChallengeLaunched(Event):
    """A challenge started running: its participants' progress counts from now."""

    challenge_id: int


@dataclass(frozen=True)
class ChallengeClosed(Event):
    """A challenge ended (its winners are known) or was cancelled."""

    challenge_id: int
    status: str
