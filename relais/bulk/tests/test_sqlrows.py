"""Rows handed to hand-written statements come back exactly as given, on either database."""

import pytest
from django.db import connection

from relais.accounts.models import User
from relais.bulk.sqlrows import row_sources

pytestmark = pytest.mark.django_db

ROWS = [
    ("email", "o'brien@exemple.fr", 1),
    ("company", 'Café "Le Zinc" \\ Lyon|69003', 9_007_199_254_740_993),  # beyond a double
    ("phone", "+33611223344", None),
    ("name", "", -5),
]


def test_rows_come_back_with_their_quotes_accents_nulls_and_big_integers():
    with connection.cursor() as cursor:
        (source, params), *more = row_sources(ROWS, ("text", "text", "bigint"))
        assert not more
        cursor.execute(
            f"SELECT column1, column2, column3 FROM {source} ORDER BY column1",  # noqa: S608
            params,
        )
        back = cursor.fetchall()
    assert back == sorted(ROWS)


def test_an_update_joins_the_rows_by_id(manager):
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        for source, params in row_sources([(manager.pk, "Renée")], ("bigint", "text")):
            cursor.execute(
                f"UPDATE {table} SET first_name = v.column2 FROM {source}"  # noqa: S608
                f" WHERE {table}.id = v.column1",
                params,
            )
    manager.refresh_from_db()
    assert manager.first_name == "Renée"
