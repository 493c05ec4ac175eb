"""Fresh planner statistics after a bulk load: the rows came in past what the planner knows."""

from __future__ import annotations

from django.db import connection, models


def analyze(model: type[models.Model] | None = None) -> None:
    """``ANALYZE`` one table (a counter table just rebuilt: without its statistics PostgreSQL
    took it for one row and sorted 46,000 on disk to group them, twice the time), or all."""
    with connection.cursor() as cursor:
        if model is None:
            cursor.execute("ANALYZE")
        else:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def after_load() -> None:
    """After the demo builder: on PostgreSQL ``VACUUM ANALYZE``, which also marks the new pages
    all-visible, as index-only scans need (SQLite's VACUUM would rewrite the whole file: there,
    ``ANALYZE`` only). No vacuum inside a transaction (a test's)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        analyze()
