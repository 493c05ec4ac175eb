"""Events the training app publishes for higher apps (outbound webhooks) to act on."""

from __future__ import annotations

from dataclasses import dataclass

from relais.core.events import Event


@dataclass(frozen=True)
class TrainingCompleted(Event):
    """A certificate issued: a module done (read, quiz passed) or a whole path."""

    certificate_id: int
