"""The leads app's raw writers for batches: the fast path (``relais.bulk``) on the leads' tables.

Each function here has a plain-ORM twin in the module that owns the rule (``intake``,
``counters``, ``notices``, ``services``), which calls it for a batch (``relais.bulk.is_batch``),
and for the intake whatever its size (``INTAKE_ALWAYS``), and does the work itself through the
ORM otherwise. What they cost through the ORM, at a thousand leads:
``bulk_update`` of the prospect keys built a CASE branch per row (3 s); a model instance per
counter or notice mark cost more than the INSERT itself. Both paths store the same rows
(``relais/bulk/tests/test_same_rows.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from relais.bulk.sqlrows import row_sources
from relais.leads.models import Lead, LeadTouch, NoticeDue, ProspectKey, Suppression

# The intake takes the fast path for one lead too (its keys, their pointers, the notice mark),
# measured: through the ORM (the keys by ``bulk_create`` and ``select_for_update``, their
# pointers by ``bulk_update``, the lead, its event and marks by ``bulk_create``) a one-lead
# ``POST /api/v1/leads`` took two to three times the server's CPU (the call in process, median
# of 60, interleaved with the fast path: PostgreSQL 1.7 → 6.3 ms and 4.3 → 9.8 ms, SQLite
# 2.6 → 4.3 ms and 1.6 → 4.7 ms), and the bench's
# ``intake_api`` is already below its target (376 leads/s on PostgreSQL, 497 on SQLite at 0.35
# of its floor; target ≥ 400 and ≥ 0.5; ``bench/RESULTS.md``). False: the ORM below
# ``relais.bulk.ORM_BELOW`` rows, as the writers ordinary services share decide.
INTAKE_ALWAYS = True

Key = tuple[str, str]
# A key as ``insert_keys`` created it: id, kind, value, the lead it points to, suppressed.
Created = tuple[int, str, str, int | None, bool]
# A key as ``lock_existing_keys`` locked it: id, kind, value, lead, submitted at, suppressed.
Existing = tuple[int, str, str, int | None, datetime | None, bool]


def _suppressed(key: str) -> str:
    """Whether a suppression names this key row (``key``: the row's table or alias): an e-mail
    or a phone is suppressed under the same kind and normalised value as its prospect key."""
    table = connection.ops.quote_name(Suppression._meta.db_table)
    return f"EXISTS (SELECT 1 FROM {table} s WHERE s.kind = {key}.kind AND s.value = {key}.value)"  # noqa: S608


def insert_keys(
    keys: Sequence[Key], expected: dict[Key, int], at: datetime | None
) -> list[Created]:
    """The keys not there yet, created (``INSERT … ON CONFLICT DO NOTHING RETURNING``), each
    pointing to the lead ``expected`` names, submitted ``at``; a row this transaction inserts
    stays locked until it commits. Says which are suppressed: no lookup of their own."""
    table = connection.ops.quote_name(ProspectKey._meta.db_table)
    rows = [(kind, value, expected.get((kind, value))) for kind, value in keys]
    stamp = connection.ops.adapt_datetimefield_value(at)
    created: list[Created] = []
    with connection.cursor() as cursor:
        for source, params in row_sources(rows, ("text", "text", "bigint")):
            # WHERE true: SQLite's grammar needs it between an INSERT's SELECT and ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {table} (kind, value, lead_id, lead_submitted_at)"  # noqa: S608
                " SELECT column1, column2, column3,"
                f" CASE WHEN column3 IS NULL THEN NULL ELSE %s END FROM {source}"
                " WHERE true ON CONFLICT (kind, value) DO NOTHING"
                f" RETURNING id, kind, value, lead_id, {_suppressed(table)}",
                [stamp, *params],
            )
            created += [(pk, k, v, lead, bool(s)) for pk, k, v, lead, s in cursor]
    return created


def lock_existing_keys(keys: Sequence[Key]) -> list[Existing]:
    """The keys that exist, locked (``SELECT … FOR UPDATE``), read as last committed. Every
    transaction locks in the same order (the database's, by kind and value); SQLite has no row
    locks: its writers take turns for the whole transaction."""
    table = connection.ops.quote_name(ProspectKey._meta.db_table)
    lock = " FOR UPDATE OF k" if connection.features.has_select_for_update_of else ""
    found: list[Existing] = []
    with connection.cursor() as cursor:
        for source, params in row_sources(keys, ("text", "text")):
            cursor.execute(
                "SELECT k.id, k.kind, k.value, k.lead_id, k.lead_submitted_at,"  # noqa: S608
                f" {_suppressed('k')}"
                f" FROM {table} k JOIN {source} ON k.kind = v.column1 AND k.value = v.column2"
                f" ORDER BY k.kind, k.value{lock}",
                params,
            )
            found += [(pk, k, v, lead, _aware(at), bool(s)) for pk, k, v, lead, at, s in cursor]
    return found


def _aware(value: datetime | str | None) -> datetime | None:
    """A raw cursor's timestamp as the ORM would give it: SQLite stores UTC without a zone."""
    if value is None:
        return None
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def point_keys(pairs: Sequence[tuple[int, int | None]], *, at: datetime) -> None:
    """Point each key (id) at the lead (id) that now holds it, or at none: one
    ``UPDATE … FROM`` join (``relais.bulk.sqlrows.row_sources``)."""
    table = connection.ops.quote_name(ProspectKey._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        for source, params in row_sources(pairs, ("bigint", "bigint")):
            cursor.execute(
                f"UPDATE {table} SET lead_id = v.column2,"  # noqa: S608
                " lead_submitted_at = CASE WHEN v.column2 IS NULL THEN NULL ELSE %s END"
                f" FROM {source} WHERE {table}.id = v.column1",
                [stamp, *params],
            )


def touch(lead_ids: Sequence[int]) -> None:
    """The counter marks of these leads (``counters.touch``), in one multi-row INSERT."""
    _marks(LeadTouch._meta.db_table, lead_ids)


def notices_due(lead_ids: Sequence[int]) -> None:
    """The GDPR notices owed for these leads (``notices.mark``), in one multi-row INSERT."""
    _marks(NoticeDue._meta.db_table, lead_ids)


def _marks(db_table: str, lead_ids: Iterable[int]) -> None:
    table = connection.ops.quote_name(db_table)
    with connection.cursor() as cursor:
        for source, params in row_sources([(pk,) for pk in lead_ids], ("bigint",)):
            cursor.execute(f"INSERT INTO {table} (lead_id) SELECT column1 FROM {source}", params)  # noqa: S608


def move(
    leads: Sequence[Lead], *, status: str, stamp: str, at: datetime, also: tuple[str, ...] = ()
) -> None:
    """A batch's move (``services.leads_move``, the router's batches): every lead to
    ``status``, ``stamp`` (a timestamp column) set to ``at``, and the integer columns ``also``
    written from each instance, in one ``UPDATE … FROM`` per thousand: every index of a
    million-row table is touched once."""
    table = connection.ops.quote_name(Lead._meta.db_table)
    quote = connection.ops.quote_name
    rows: list[tuple[Any, ...]] = [
        (lead.pk, *(getattr(lead, name) for name in also)) for lead in leads
    ]
    sets = "".join(f", {quote(name)} = v.column{n}" for n, name in enumerate(also, start=2))
    with connection.cursor() as cursor:
        for source, params in row_sources(rows, ("bigint",) * (1 + len(also))):
            cursor.execute(
                f"UPDATE {table} SET status = %s, {quote(stamp)} = %s{sets}"  # noqa: S608
                f" FROM {source} WHERE {table}.id = v.column1",
                [status, connection.ops.adapt_datetimefield_value(at), *params],
            )
