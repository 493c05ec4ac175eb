"""The manager's dashboard's monthly NPS of the customers (surveys' counters): a line on a fixed
−100 to 100 axis, broken where a month has no answer (its NPS does not exist, never 0). The
counters are kept per département and per product, not by both nor by the partner's kind: the
chart follows a place filter or a product filter, and says so when it shows the whole network."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.core.formatting import format_number
from relais.reporting.charts import Chart, Number, Series
from relais.surveys.choices import Dimension
from relais.surveys.selectors import nps_months


class Scope(Protocol):
    """The dashboard's scope (``dashboard.Scope``), as this chart reads it."""

    @property
    def months(self) -> list[date]: ...

    @property
    def filters(self) -> dict[str, str]: ...

    @property
    def places(self) -> list[str] | None: ...


def _groups(scope: Scope) -> tuple[str, list[str] | None, bool]:
    """The counters' dimension and keys for the scope's filters, and whether all of them apply."""
    product, places = scope.filters.get("product"), scope.places
    if product and places is None:
        return Dimension.PRODUCT, [product], not scope.filters.get("partner_kind")
    if places is not None and not product:
        return Dimension.DEPARTEMENT, places, not scope.filters.get("partner_kind")
    filtered = product or places is not None or scope.filters.get("partner_kind")
    return Dimension.ALL, None, not filtered


def _score(value: Number) -> str:
    return format_number(int(value))


def nps_by_month(scope: Scope) -> Chart:
    dimension, keys, exact = _groups(scope)
    found = nps_months(months=scope.months, dimension=dimension, keys=keys)
    title = _("Customers' NPS by month")
    if not exact:
        title = _("Customers' NPS by month (whole network: the filters do not apply)")
    scores = [found[m].score if m in found else None for m in scope.months]
    return Chart(
        "nps",
        title,
        "line",
        [date_format(m, "M y") for m in scope.months],
        [Series(_("NPS"), scores)],
        fmt=_score,
        span=(-100.0, 100.0),
    )
