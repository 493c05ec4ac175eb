"""SQLite gets fresh planner statistics whenever migrations are applied."""

import pytest
from django.db import connection

from relais.core.apps import analyze_after_migrations

pytestmark = pytest.mark.django_db


def test_sqlite_is_analysed_after_migrations_and_only_then():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum gathers its own statistics")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # makes sure the statistics table exists
        cursor.execute("DELETE FROM sqlite_stat1")
        analyze_after_migrations(using="default", plan=[])
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1")
        assert cursor.fetchone()[0] == 0  # nothing migrated: nothing analysed
        analyze_after_migrations(using="default", plan=[("leads", "0009")])
        # the départements (reference data) have rows to measure
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'core_departement'")
        assert cursor.fetchone()[0] > 0
