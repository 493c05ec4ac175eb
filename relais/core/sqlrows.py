"""Rows for hand-written multi-row statements (``INSERT … VALUES``, ``UPDATE … FROM (VALUES …)``)
on the paths where building a model instance per row costs more than the statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

BATCH = 1000  # rows per statement: well under SQLite's 32,766 parameters at a few columns


def value_batches(rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, list[Any]]]:
    """Each batch's ``(%s, %s), (%s, %s) …`` and its parameters, row after row."""
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        one = "(" + ", ".join(["%s"] * len(chunk[0])) + ")"
        yield ", ".join([one] * len(chunk)), [value for row in chunk for value in row]
