"""Benefits in kind given by apps above commissions (a challenge's gifts, vouchers and
experiences), for the tax pack: DAS2 declares them as benefits in kind, and gifts count towards
the 73 € cap on recoverable VAT. The giving app registers a source in its ``AppConfig.ready()``;
commissions never imports it (dependencies point downward).

A source takes the period [start, end) and, optionally, the partners to read, and answers per
partner id its benefits in kind incl. VAT and, of those, the gifts whose VAT was deducted."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from decimal import Decimal

ZERO = Decimal(0)

Totals = dict[int, tuple[Decimal, Decimal]]
Source = Callable[[datetime, datetime, Collection[int] | None], Totals]

_SOURCES: list[Source] = []


def register(source: Source) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def totals(start: datetime, end: datetime, partner_ids: Collection[int] | None = None) -> Totals:
    """Every source's benefits in kind and gifts per partner, summed."""
    merged: Totals = {}
    for source in _SOURCES:
        for pk, (kind, gifts) in source(start, end, partner_ids).items():
            before = merged.get(pk, (ZERO, ZERO))
            merged[pk] = (before[0] + kind, before[1] + gifts)
    return merged
