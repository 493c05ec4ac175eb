"""Who the router must skip, decided by the apps above it without routing importing them (the
dependencies point downward): each registers, in its ``AppConfig.ready()``, a gate that is given
the kind of assignee ("reseller" or "salesperson"), the ids of a batch's pool and the time, and
answers those it holds back with the reason (a msgid, kept as a deferred message in the
assignment's explanation and said in its reader's language). The training app holds back the
resellers missing a required module."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Gate = Callable[[str, list[int], datetime], dict[int, str]]

_gates: list[Gate] = []


def add_gate(gate: Gate) -> None:
    if gate not in _gates:
        _gates.append(gate)


def held_back(kind: str, ids: list[int], now: datetime) -> dict[int, str]:
    """Each held-back id with the first gate's reason; one call per gate for the whole pool."""
    held: dict[int, str] = {}
    for gate in _gates:
        for pk, reason in gate(kind, ids, now).items():
            held.setdefault(pk, reason)
    return held
