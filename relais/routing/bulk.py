"""The routing app's hand-written statement on the fast path (``relais.bulk``): the KPI table.

``kpi_sums`` reads the KPI months through a plain cursor. Through the ORM, Django's per-value
converters cost more than the query's own Python (21 columns × 3,500 resellers), and compiling
the grouped queryset took 1.2 ms of a 40 ms table; the bench's ``kpi_table`` stands at 47.8 ms
on PostgreSQL against a floor of 34.1 ms (1.40×, target ≤ 1.5×; ``bench/RESULTS.md``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from relais.routing.counters import BANDS, COUNTS
from relais.routing.models import KpiMonth


def kpi_sums(
    kind: str, first: date, last: date, ids: list[int] | None, *, smoothing: int
) -> list[tuple[Any, ...]]:
    """Each assignee's sums over the KPI months from ``first`` to ``last``, best first: the
    assignee, ``COUNTS``, reminders, ``BANDS``, then the revenue in cents (exact on SQLite too,
    which sums decimals as floats). Ranked by ``(opened + treated + closed + 3/2 smoothing) /
    (received + smoothing)``, then the most leads, then the lowest id (``kpis._sums``)."""
    half = 3 * smoothing // 2
    sums = ", ".join(f"SUM({name})" for name in (*COUNTS, "reminders", *BANDS))
    params: list[Any] = [kind, first, last]
    among = ""
    if ids is not None:
        among = f" AND assignee_id IN ({', '.join(['%s'] * len(ids))})" if ids else " AND 1 = 0"
        params += ids
    # Only our own names and constants in the text; every value is a parameter.
    statement = (
        f"SELECT assignee_id, {sums}, CAST(ROUND(SUM(revenue) * 100) AS BIGINT) "  # noqa: S608
        f"FROM {KpiMonth._meta.db_table} "
        f"WHERE kind = %s AND month >= %s AND month <= %s{among} GROUP BY assignee_id "
        "ORDER BY CAST(SUM(opened) + SUM(treated) + SUM(won) + SUM(lost) + "
        f"{half} AS DOUBLE PRECISION) / (SUM(received) + {smoothing}) DESC, "
        "SUM(received) DESC, assignee_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()
