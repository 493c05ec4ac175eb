"""The network's norms (seed 002), as targets with traffic-light thresholds.

Green at or above the target, amber at or above the warning level, red below. Each figure can be
changed in the settings (``RELAIS_NORM_*``); none is a legal figure, so none is a dated parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Norm:
    target: float
    warning: float

    def light(self, value: float | None) -> str:
        if value is None:
            return "grey"
        if value >= self.target:
            return "green"
        return "amber" if value >= self.warning else "red"


def norms() -> dict[str, Norm]:
    n = settings.RELAIS_NORMS
    return {
        "open_rate": Norm(n["open_rate"], n["open_rate_warning"]),
        "treatment_rate": Norm(n["treatment_rate"], n["treatment_rate_warning"]),
        "closure_rate": Norm(n["closure_rate"], n["closure_rate_warning"]),
        "yearly_leads": Norm(settings.RELAIS_ROUTING_YEARLY_MINIMUM, n["yearly_leads_warning"]),
    }


def resellers_per_departement() -> tuple[int, int]:
    """The 4–5 active resellers per département of seed 002."""
    n = settings.RELAIS_NORMS
    return int(n["resellers_min"]), int(n["resellers_max"])
