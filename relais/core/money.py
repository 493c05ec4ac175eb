"""Money is Decimal, rounded half-up to the cent, and never a float; shown by core/formatting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
NARROW_NBSP = "\u202f"  # French thousands separator (CLDR)
NBSP = "\u00a0"


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Parse an amount; floats are refused because they already lost the cents."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal or a string.")
    if isinstance(value, str):
        value = value.strip().replace(NARROW_NBSP, "").replace(NBSP, "").replace(" ", "")
        value = value.replace("€", "").replace(",", ".")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount.") from None


def cents(value: Decimal | int | str) -> Decimal:
    """Quantise to the cent, half-up (the rounding French invoices use)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
