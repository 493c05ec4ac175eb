"""What the apps above add to the measures partners are picked on, without this app importing
them (the dependencies point downward): each registers, in its ``AppConfig.ready()``, a metric —
a count per partner over a period, such as the training app's "trainings completed". A custom
segment gets a filter "at least N" for each (``filters``), and a challenge can count on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:  # the stubs' name for a lazy translation
    from django.utils.functional import _StrPromise

# (at least n, first day counted or None, day after the last or None) → the partner ids reaching
# it, as a subquery (``values("partner_id")``) so a filter stays one query.
Reaching = Callable[[int, date | None, date | None], QuerySet]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | _StrPromise  # the segment filter's label: "At least this many … in the period"
    reaching: Reaching

    @property
    def field(self) -> str:
        return f"min_{self.key}"


_metrics: dict[str, Metric] = {}


def register(metric: Metric) -> None:
    _metrics[metric.key] = metric


def registered() -> list[Metric]:
    return list(_metrics.values())
