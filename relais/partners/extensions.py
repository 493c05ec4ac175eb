"""What the apps above add to a partner's page and to its activation, without this app importing
them (the dependencies point downward): each registers, in its ``AppConfig.ready()``, a panel (a
template and its data: the engagement app's segment), a source of timeline entries (the
campaigns a partner received) or a check an activation must pass (the training app's required
modules). They are called in the order they were registered."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from relais.core.timeline import Entry
from relais.partners.models import Partner


@dataclass(frozen=True)
class Panel:
    """A card on the partner's page: ``template`` is rendered with ``data`` as ``panel``."""

    template: str
    data: dict[str, Any]


PanelSource = Callable[[Partner], Panel | None]
TimelineSource = Callable[[Partner], Iterable[Entry]]
# What stops the partner from being activated, in one sentence for the manager; None: nothing.
ActivationCheck = Callable[[Partner], str | None]

_panels: list[PanelSource] = []
_timelines: list[TimelineSource] = []
_activation_checks: list[ActivationCheck] = []


def add_panel(source: PanelSource) -> None:
    if source not in _panels:
        _panels.append(source)


def add_timeline_source(source: TimelineSource) -> None:
    if source not in _timelines:
        _timelines.append(source)


def add_activation_check(check: ActivationCheck) -> None:
    if check not in _activation_checks:
        _activation_checks.append(check)


def panels_for(partner: Partner) -> list[Panel]:
    return [panel for source in _panels if (panel := source(partner)) is not None]


def timeline_entries(partner: Partner) -> list[Entry]:
    return [entry for source in _timelines for entry in source(partner)]


def activation_blockers(partner: Partner) -> list[str]:
    return [reason for check in _activation_checks if (reason := check(partner))]
