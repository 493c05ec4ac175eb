"""Indicators that the apps above routing add to a reseller's scorecard (the managers' KPI table,
the reseller's own performance page, the yearly review and its PDF) without routing importing
them (the dependencies point downward). Each registers, in its ``AppConfig.ready()``, a column:
its label (a msgid, said in the reader's language), a function that answers the shown value of
each of a list of resellers over a period (one call for the whole page), and one that answers
the network's value. A reseller the function leaves out shows "—". The surveys app adds the NPS
of the customers each reseller sold to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from relais.leads.counters import local_zone

EMPTY = "—"

Values = Callable[[list[int], date, date], dict[int, str]]
Overall = Callable[[date, date], str]


@dataclass(frozen=True)
class Column:
    name: str
    label: str  # a msgid (gettext_noop), translated when shown
    values: Values
    overall: Overall


@dataclass(frozen=True)
class Heading:
    name: str
    label: str


_columns: list[Column] = []


def add_column(column: Column) -> None:
    if all(c.name != column.name for c in _columns):
        _columns.append(column)


def headings() -> list[Heading]:
    return [Heading(c.name, gettext(c.label)) for c in _columns]


def scorecard_values(*, ids: list[int], first: date, last: date) -> dict[int, list[str]]:
    """Each reseller's shown values, in the columns' order ("—" where a column has none)."""
    found = [c.values(ids, first, last) for c in _columns]
    return {pk: [values.get(pk) or EMPTY for values in found] for pk in ids}


def scorecard_overall(*, first: date, last: date) -> list[str]:
    return [c.overall(first, last) or EMPTY for c in _columns]


def _dates(start: datetime, end: datetime) -> tuple[date, date]:
    zone = local_zone()
    return timezone.localtime(start, zone).date(), timezone.localtime(end, zone).date()


def scorecard_rows(*, kpis: Any, start: datetime, end: datetime) -> list[tuple[Any, list[str]]]:
    """Each KPI row of a page (a list or a page of ``Kpi``) with its added values."""
    first, last = _dates(start, end)
    rows = list(kpis)
    values = scorecard_values(ids=[k.assignee for k in rows], first=first, last=last)
    return [(k, values[k.assignee]) for k in rows]


def scorecard_network(*, start: datetime, end: datetime) -> list[str]:
    first, last = _dates(start, end)
    return scorecard_overall(first=first, last=last)


def scorecard_of(
    *, assignee: int, start: datetime, end: datetime
) -> list[tuple[Heading, str, str]]:
    """One reseller's added indicators beside the network's, as its own performance page lists
    them."""
    first, last = _dates(start, end)
    mine = scorecard_values(ids=[assignee], first=first, last=last)[assignee]
    network = scorecard_overall(first=first, last=last)
    return list(zip(headings(), mine, network, strict=True))
