"""The fast path, fenced: hand-written low-level writes and reads, in one place.

What is here: ``fastinsert`` (rows out as PostgreSQL's COPY or SQLite's ``executemany``, ids
drawn first, instances built through Django's positional path), ``sqlrows`` (rows as one
``INSERT … SELECT`` / ``UPDATE … FROM`` source), ``lanes`` (batches written over two
connections at once, committed in order), ``compiled`` (a read's queryset built and compiled
once, then run as it stands) and ``stats`` (planner statistics after a bulk load).
Every piece is generic: no domain app is imported here, so the package sits beside ``core`` at
the bottom of the stack. The raw writers that know a domain table live in their owning app, in
a module named ``<app>/bulk.py`` that imports this package (``leads/bulk.py``: prospect keys,
counter and notice marks, a batch's move; ``routing/bulk.py``: the KPI table's sums), so the
one-owner rule holds: only the leads app writes the leads' tables, fast or not.

May be used where a measured bench figure needs it (``bench/RESULTS.md``), and only there:

- the demo builder (``demo/``): a million leads and their rows in about 11 minutes on
  PostgreSQL, where ``bulk_create``'s compilation of every value was two thirds of the build;
- the intake (``leads.services.leads_submit``): the CSV import and the bulk API
  (``POST /leads/bulk``), ≥ 5,000 rows/s, and the one-lead intake, measured too
  (``leads.bulk.INTAKE_ALWAYS``);
- the routing batches (``routing.router``, ``leads.services.leads_move``): 5,000 leads ≤ 2 s;
- the reads a page makes on every view: the KPI table's (``routing/bulk.py``) and the
  dashboard's aggregates and the counters' check for marks (``compiled``): ≤ 1.5× their SQL
  floor.

Not for: a service that writes one object (a transition, a review, a form), a view, a task on
one id, an ordinary read: they use the plain ORM. The writers a one-object service shares with
the batches (a lead's counter mark, a routed lead's move) decide by size: below ``ORM_BELOW``
rows through the ORM (``is_batch``). The intake is the one measured exception: it writes one
lead as it writes a thousand, through the fast path (``leads.bulk.INTAKE_ALWAYS``, with the
figures). ``bulk/tests/test_same_rows.py`` proves both paths store the same rows for the same
input, and ``bulk/tests/test_fastinsert.py`` that ``fastinsert`` stores what ``bulk_create``
does.

Raw SQL that stays outside, being no fast path but a statement the ORM has no word for:
``core.ratelimit``'s increment-on-conflict, ``core.health``'s ``SELECT 1``, the ``ANALYZE``
after migrations (``core.apps``) and the counters' advisory lock (``leads.counters``).
"""

from __future__ import annotations

# Rows below which a writer shared with one-object services goes through the ORM.
ORM_BELOW = 20


def is_batch(rows: int) -> bool:
    """Whether a write of ``rows`` rows takes the fast path (read at each call)."""
    return rows >= ORM_BELOW
