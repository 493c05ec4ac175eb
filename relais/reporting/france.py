"""The map of France by département: a measure per département from the counters, coloured
into five classes, drawn from the prepared geometry (``geometry``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relais.core.formatting import format_number
from relais.leads import counters
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.reporting import geometry
from relais.reporting.dashboard import Scope, lead_months, scope_of
from relais.routing.norms import norms, resellers_per_departement

# From pale to dark; grey for a département with nothing to show.
SHADES = ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d")
RED, AMBER, GREEN, NONE = "#d55e00", "#e69f00", "#009e73", "#e0e0e0"


@dataclass(frozen=True)
class Cell:
    code: str
    name: str
    value: float | None
    text: str
    colour: str
    url: str


@dataclass(frozen=True)
class FranceMap:
    measure: str
    measure_label: str
    title: str
    measures: list[tuple[str, str]]
    rows: list[Cell]
    legend: list[tuple[str, str]]
    attribution: str

    @property
    def svg(self) -> SafeString:
        data = geometry.load()
        cells = {c.code: c for c in self.rows}
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="{data["viewBox"]}" '
            f'role="group" aria-label="{escape(self.title)}" stroke="#ffffff" stroke-width="0.5">'
        ]
        for inset in data["insets"]:
            x, y, w, h = inset["box"]
            parts.append(
                f'<rect x="{x - 4}" y="{y - 4}" width="{w + 8}" height="{h + 8}" '
                f'fill="none" stroke="#999999"/>'
            )
        for code, shape in data["departements"].items():
            cell = cells.get(code)
            colour = cell.colour if cell else NONE
            title = f"{code} {shape['name']}: {cell.text if cell else '–'}"
            path = (
                f'<path d="{shape["d"]}" fill="{colour}" data-code="{code}">'
                f"<title>{escape(title)}</title></path>"
            )
            parts.append(f'<a href="{escape(cell.url)}">{path}</a>' if cell else path)
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 - built from escaped parts only


def _leads(scope: Scope) -> dict[str, int]:
    def compute() -> dict[str, int]:
        rows = lead_months(scope).values_list("departement").annotate(n=Sum("submitted"))
        return {code: n for code, n in rows.order_by() if code}

    return scope.kept("map-leads", compute)


def _resellers(scope: Scope) -> dict[str, int]:
    rows = (
        Partner.objects.filter(kind=PartnerKind.RESELLER, status=PartnerStatus.ACTIVE)
        .values_list("departement_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {code: n for code, n in rows if code}


def count_classes(top: int) -> list[tuple[int, int, str]]:
    """Up to five classes of whole counts from 1 to ``top`` as (low, high, shade), the darkest
    for the highest: a legend of counts says "3 to 4", never "up to 1.6"."""
    highs = sorted({-(-top * i // 5) for i in range(1, 6)} - {0}) or [1]
    picks = [round(4 * j / (len(highs) - 1)) if len(highs) > 1 else 4 for j in range(len(highs))]
    lows = [1, *(h + 1 for h in highs[:-1])]
    return [(low, high, SHADES[p]) for low, high, p in zip(lows, highs, picks, strict=True)]


def _shade(classes: list[tuple[int, int, str]]) -> Callable[[float | None], str]:
    def colour(v: float | None) -> str:
        if not v:
            return NONE
        return next((shade for _low, high, shade in classes if v <= high), classes[-1][2])

    return colour


def _range(low: int, high: int) -> str:
    if low == high:
        return format_number(low)
    return _("%(low)s to %(high)s") % {"low": format_number(low), "high": format_number(high)}


def france_map(filters: dict[str, str], measure: str | None) -> FranceMap:
    counters.refresh()
    scope = scope_of(filters)
    low, high = resellers_per_departement()
    minimum = norms()["yearly_leads"].target  # a year's leads: the period is 12 months
    measures = [
        ("resellers", _("Active resellers (norm %(low)s–%(high)s)") % {"low": low, "high": high}),
        ("leads", _("Leads in the period")),
        (
            "per_reseller",
            _("Leads per reseller (norm ≥ %(n)s)") % {"n": format_number(minimum)},
        ),
    ]
    labels = dict(measures)
    measure = measure if measure in labels else "resellers"
    data = geometry.load()
    resellers = _resellers(scope)
    leads = _leads(scope)
    values: dict[str, float | None]
    if measure == "resellers":
        values = {code: resellers.get(code, 0) for code in data["departements"]}
        colour: Callable[[float | None], str] = lambda v: (  # noqa: E731
            GREEN if v is not None and low <= v <= high else AMBER if v else RED
        )
        legend = [
            (GREEN, _("%(low)s to %(high)s: within the norm") % {"low": low, "high": high}),
            (AMBER, _("Off the norm")),
            (RED, _("None")),
        ]
    elif measure == "leads":
        values = {code: leads.get(code, 0) for code in data["departements"]}
        classes = count_classes(int(max((v or 0 for v in values.values()), default=0)))
        colour = _shade(classes)
        legend = [(shade, _range(low, high)) for low, high, shade in classes]
        legend.append((NONE, _("None")))
    else:
        values = {
            code: (leads.get(code, 0) / resellers[code]) if resellers.get(code) else None
            for code in data["departements"]
        }
        colour = lambda v: (  # noqa: E731
            NONE if v is None else GREEN if v >= minimum else AMBER if v >= minimum / 2 else RED
        )
        legend = [
            (GREEN, _("Within the norm")),
            (AMBER, _("Below the norm")),
            (RED, _("Less than half the norm")),
            (NONE, _("No active reseller")),
        ]
    partner_list = reverse("partners:list")
    active = {"kind": PartnerKind.RESELLER, "status": PartnerStatus.ACTIVE}

    def link(code: str) -> str:
        # The rows behind the colour: the active resellers placed there, or its leads.
        if measure == "resellers":
            return f"{partner_list}?{urlencode({**active, 'departement': code})}"
        return Scope(scope.months, {**filters, "region": "", "departement": code}).leads_url(
            scope.first, scope.last
        )

    rows = [
        Cell(
            code,
            shape["name"],
            values[code],
            "–" if values[code] is None else format_number(round(values[code] or 0, 1)),
            colour(values[code]),
            link(code),
        )
        for code, shape in data["departements"].items()
    ]
    return FranceMap(
        measure, labels[measure], labels[measure], measures, rows, legend, data["attribution"]
    )
