"""Show a KPI value by its kind, and its traffic light."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString

from relais.core.money import format_eur
from relais.routing.kpis import KpiRow

register = template.Library()


@register.filter
def kpi_value(kpi: Any, row: KpiRow) -> str:
    value = getattr(kpi, row.name, None) if kpi is not None else None
    if value is None:
        return "—"
    if row.kind == "rate":
        return f"{formats.number_format(value * 100, 0)}\u202f%"
    if row.kind == "money":
        return format_eur(value)
    if row.kind in ("hours", "number"):
        return str(formats.number_format(value, 1))
    return str(value)


@register.filter
def kpi_light(kpi: Any, row: KpiRow) -> SafeString:
    light = kpi.lights.get(row.name) if kpi is not None else None
    if light is None:
        return SafeString("")
    return format_html('<span class="light light-{}" title="{}"></span>', light, light)
