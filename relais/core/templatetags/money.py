from decimal import Decimal

from django import template

from relais.core.money import format_eur

register = template.Library()


@register.filter
def eur(value: Decimal | int | str | None) -> str:
    """``{{ amount|eur }}`` → ``1 234,56 €`` in the active language."""
    return "" if value is None or value == "" else format_eur(value)
