"""Rows for hand-written multi-row statements (``INSERT … SELECT``, ``UPDATE … FROM``) on the
paths where building a model instance per row costs more than the statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection

BATCH = 1000  # rows per statement: well under SQLite's 32,766 parameters at a few columns


def value_batches(rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, list[Any]]]:
    """Each batch's ``(%s, %s), (%s, %s) …`` and its parameters, row after row."""
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        one = "(" + ", ".join(["%s"] * len(chunk[0])) + ")"
        yield ", ".join([one] * len(chunk)), [value for row in chunk for value in row]


def row_sources(
    rows: Sequence[Sequence[Any]], types: Sequence[str]
) -> Iterator[tuple[str, list[Any]]]:
    """``rows`` as a FROM item ``v`` with columns ``column1`` … ``columnN``, in their order.

    On PostgreSQL one ``unnest`` of typed arrays (``types``: the columns' SQL types), one
    parameter per column: psycopg binds parameters on the client and spends ~10 µs on each, six
    times the cost of the arrays for a thousand rows. Elsewhere, ``VALUES`` batches."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        names = ", ".join(f"column{n}" for n in range(1, len(types) + 1))
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        yield (
            f"unnest({arrays}) AS v({names})",
            [list(column) for column in zip(*rows, strict=True)],
        )
        return
    for values, params in value_batches(rows):
        yield f"(VALUES {values}) AS v", params
