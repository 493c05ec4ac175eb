"""One way to show a number, in the active language: money, rates, quantities, legal figures.

The conventions are CLDR's, as Babel would give them for our two languages (two languages do not
need the library): French groups thousands with a narrow no-break space and writes "1 802,50 €",
"34 %"; English writes "€1,802.50", "34%". Money always shows its cents; a rate or a quantity
shows only the decimals it has ("20 %", "12,5 %", not "20,0000 %"). Pages, PDFs and e-mails go
through the template filters of ``core/templatetags/formatting.py``; text built in Python calls
these functions. Exports are for machines, not people: ``export_decimal`` ("2400.01").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation

from relais.core.money import CENT, NARROW_NBSP, NBSP, cents, to_decimal

Number = Decimal | int | float | str


def _language(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]


def _decimal(value: Number) -> Decimal:
    """A Decimal of any number; a float (a KPI's ratio) through its shortest repr, never its
    binary digits."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return to_decimal(value)


def _digits(number: Decimal, decimals: int | None, language: str) -> str:
    """``number`` grouped by thousands in ``language``: ``decimals`` places (rounded half-up),
    or, with None, the decimals it has without trailing zeros."""
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{abs(number):,.{decimals}f}"
    else:
        text = f"{abs(number):,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if language == "fr":
        text = text.replace(",", NARROW_NBSP).replace(".", ",")
    return ("-" if number < 0 and text.strip("0,.") else "") + text


def format_number(value: Number, decimals: int | None = None, language: str | None = None) -> str:
    """``1 802,5`` (fr) / ``1,802.5`` (en): a count, a quantity, a duration."""
    return _digits(_decimal(value), decimals, _language(language))


def format_money(
    value: Decimal | int | str, language: str | None = None, *, whole: bool = False
) -> str:
    """``1 802,50 €`` (fr) / ``€1,802.50`` (en), rounded half-up to the cent. ``whole`` drops
    the cents of a round figure (a threshold, a cap: "73 €"), never of an amount with cents."""
    amount = cents(value)
    places = 0 if whole and amount == amount.to_integral_value() else 2
    language = _language(language)
    digits = _digits(amount, places, language)
    if language == "en":
        return f"-€{digits[1:]}" if digits.startswith("-") else f"€{digits}"
    return f"{digits}{NBSP}€"


def _percent_sign(language: str) -> str:
    return "%" if language == "en" else f"{NARROW_NBSP}%"


def format_percent(value: Number, decimals: int | None = None, language: str | None = None) -> str:
    """A rate given in percent (a VAT rate of 20, an allowance of 34): ``20 %`` (fr) / ``20%``
    (en), with only the decimals it has (``12,5 %``) unless ``decimals`` is given."""
    language = _language(language)
    return _digits(_decimal(value), decimals, language) + _percent_sign(language)


def format_ratio(value: Number, decimals: int = 0, language: str | None = None) -> str:
    """A share given as a fraction (a KPI's 0.925): ``93 %`` (fr) / ``93%`` (en)."""
    return format_percent(_decimal(value) * 100, decimals, language)


def format_ratio_range(
    low: Number, high: Number, decimals: int = 0, language: str | None = None
) -> str:
    """``50–60 %`` (fr) / ``50–60%`` (en): a span of shares given as fractions, one sign."""
    language = _language(language)
    start = _digits(_decimal(low) * 100, decimals, language)
    return f"{start}–{format_ratio(high, decimals, language)}"


# How a legal parameter's unit is written after its value; EUR and % are formatted as such.
MONEY_UNITS = {"EUR", "€"}
PERCENT_UNITS = {"%"}


def format_quantity(value: Number, unit: str = "", language: str | None = None) -> str:
    """A figure with its unit, as a legal parameter holds it: ``73 €``, ``34 %``, ``18,6 %``,
    ``3 years`` — never the column's four decimals (``73,0000``). Units other than money and
    percent are written as given (the caller translates them)."""
    if unit in MONEY_UNITS:
        return format_money(_decimal(value), language, whole=True)
    if unit in PERCENT_UNITS:
        return format_percent(value, language=language)
    number = format_number(value, language=language)
    return f"{number}{NBSP}{unit}" if unit else number


def export_decimal(value: Decimal) -> Decimal:
    """A Decimal as an export writes it: to the cent when it has no more (``2400.01`` for the
    ``2400.01000000000`` a SUM gives on SQLite), else its own digits without trailing zeros
    (a rate of ``0.055``); never an exponent."""
    try:
        rounded = value.quantize(CENT)
    except InvalidOperation:  # beyond the context's precision: leave it
        return value
    if rounded == value:
        return rounded
    text = f"{value.normalize():f}"
    return Decimal(text)
