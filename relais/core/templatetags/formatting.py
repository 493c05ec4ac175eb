"""``{% load formatting %}``: every number a page, a PDF or an e-mail shows, in the active
language (core/formatting.py). An empty value shows as nothing.

``{{ amount|eur }}`` → ``1 802,50 €`` · ``{{ vat_rate|percent }}`` → ``20 %`` (a rate in percent)
· ``{{ kpi|ratio }}`` → ``93 %`` (a fraction) · ``{{ hours|number:1 }}`` → ``12,5``
· ``{{ parameter.value|quantity:parameter.unit }}`` → ``73 €``, ``34 %``, ``3 years``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from relais.core import formatting

register = template.Library()


def _empty(value: Any) -> bool:
    return value is None or value == ""


@register.filter
def eur(value: Decimal | int | str | None) -> str:
    return "" if _empty(value) else formatting.format_money(value)  # type: ignore[arg-type]


@register.filter
def percent(value: Any, decimals: int | None = None) -> str:
    return "" if _empty(value) else formatting.format_percent(value, decimals)


@register.filter
def ratio(value: Any, decimals: int = 0) -> str:
    return "" if _empty(value) else formatting.format_ratio(value, decimals)


@register.filter
def number(value: Any, decimals: int | None = None) -> str:
    return "" if _empty(value) else formatting.format_number(value, decimals)


@register.filter
def quantity(value: Any, unit: str = "") -> str:
    return "" if _empty(value) else formatting.format_quantity(value, unit)
