"""The network's norms (seed 002), as targets with traffic-light thresholds.

Green at or above the target, amber at or above the warning level, red below. A norm that is a
range (the closure rate, 50–60 %) has a ceiling too: above it is off the norm as well, amber up to
its own warning level, red beyond (closing every lead at once is no better a sign than closing
too few). Each figure can be changed in the settings (``RELAIS_NORMS``); none is a legal figure,
so none is a dated parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from relais.core.formatting import format_number, format_ratio, format_ratio_range


@dataclass(frozen=True)
class Norm:
    target: float
    warning: float
    ceiling: float | None = None
    ceiling_warning: float | None = None

    def light(self, value: float | None) -> str:
        if value is None:
            return "grey"
        if value < self.target:
            return "amber" if value >= self.warning else "red"
        if self.ceiling is not None and value > self.ceiling:
            within = self.ceiling_warning is None or value <= self.ceiling_warning
            return "amber" if within else "red"
        return "green"

    def text(self, *, rate: bool = True) -> str:
        """The norm as the pages show it, in the active language: "≥ 90 %", "50–60 %", "≥ 10"."""
        if not rate:
            return f"≥\u00a0{format_number(self.target)}"
        if self.ceiling is not None:
            return format_ratio_range(self.target, self.ceiling)
        return f"≥\u00a0{format_ratio(self.target)}"


def norms() -> dict[str, Norm]:
    n = settings.RELAIS_NORMS
    return {
        "open_rate": Norm(n["open_rate"], n["open_rate_warning"]),
        "treatment_rate": Norm(n["treatment_rate"], n["treatment_rate_warning"]),
        "closure_rate": Norm(
            n["closure_rate"],
            n["closure_rate_warning"],
            n.get("closure_rate_max"),
            n.get("closure_rate_max_warning"),
        ),
        "yearly_leads": Norm(settings.RELAIS_ROUTING_YEARLY_MINIMUM, n["yearly_leads_warning"]),
    }


def resellers_per_departement() -> tuple[int, int]:
    """The 4–5 active resellers per département of seed 002."""
    n = settings.RELAIS_NORMS
    return int(n["resellers_min"]), int(n["resellers_max"])
