"""The surveys app's raw writer: the fast path (``relais.bulk``) on the NPS counters.

One click moves up to a dozen counter rows (each group's row for the month and its all-time
row). Through the ORM that was an update, a read of the rows missing, an insert and an update
again; as one ``INSERT … ON CONFLICT DO UPDATE`` it is one statement. Measured on the one-click
answer (``bench/surveys.py``): a customer's first click went from 20 queries to 11 on SQLite
and 7 on PostgreSQL; on the loaded 2-CPU machine, where a PostgreSQL round trip cost ~10 ms,
the click's median went from 104 to 67 ms (p95 within the noise, ~120 ms under that load,
~40 ms quiet; target ≤ 50). The ORM has no
increment-on-conflict, hence the hand-written SQL, which SQLite (≥ 3.24) and PostgreSQL share.
Its plain twin, for the tests, is ``counters_add_orm``: both store the same rows
(``surveys/tests/test_bulk.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection
from django.db.models import F

from relais.bulk.sqlrows import value_batches
from relais.surveys.models import NpsCounter

# ``excluded`` is the row proposed: a row missing (a group's first answer of the month) is
# inserted with the step, a row there has the step added.
_UPSERT = (
    'INSERT INTO "surveys_npscounter" '
    '("dimension", "key", "month", "promoters", "passives", "detractors") VALUES {rows} '
    'ON CONFLICT ("dimension", "key", "month") DO UPDATE SET '
    '"promoters" = "surveys_npscounter"."promoters" + excluded."promoters", '
    '"passives" = "surveys_npscounter"."passives" + excluded."passives", '
    '"detractors" = "surveys_npscounter"."detractors" + excluded."detractors"'
)

Row = tuple[str, str, date, int, int, int]  # dimension, key, month, promoters, passives, detractors


def counters_add(*, rows: Sequence[Row]) -> None:
    """Add each row's steps to its counter, creating it when missing. Callers pass the rows in
    one order (sorted), so two answers at once lock them in the same order and never
    deadlock."""
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for values, params in value_batches([(d, k, adapt(m), *steps) for d, k, m, *steps in rows]):
            cursor.execute(_UPSERT.format(rows=values), params)


def counters_add_orm(*, rows: Sequence[Row]) -> None:
    """The plain path: what ``counters_add`` stores, through the ORM (tests compare them)."""
    for dimension, key, month, promoters, passives, detractors in rows:
        counter, _made = NpsCounter.objects.get_or_create(dimension=dimension, key=key, month=month)
        NpsCounter.objects.filter(pk=counter.pk).update(
            promoters=F("promoters") + promoters,
            passives=F("passives") + passives,
            detractors=F("detractors") + detractors,
        )
