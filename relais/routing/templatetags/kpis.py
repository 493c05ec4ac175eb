"""Show a KPI value by its kind, and its traffic light."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from relais.core.formatting import format_money, format_number, format_ratio
from relais.routing.kpis import KpiRow

register = template.Library()


@register.filter
def kpi_value(kpi: Any, row: KpiRow) -> str:
    value = getattr(kpi, row.name, None) if kpi is not None else None
    if value is None:
        return "—"
    if row.kind == "rate":
        return format_ratio(value)
    if row.kind == "money":
        return format_money(value)
    if row.kind in ("hours", "number"):
        return format_number(round(value, 1))  # "12,5", "12" (not "12,0")
    return format_number(value)


@register.filter
def kpi_light(kpi: Any, row: KpiRow) -> SafeString:
    light = kpi.lights.get(row.name) if kpi is not None else None
    if light is None:
        return SafeString("")
    return format_html('<span class="light light-{}" title="{}"></span>', light, light)
