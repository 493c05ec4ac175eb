"""The counters' raw upsert stores what the ORM path stores: rows created, steps added."""

from __future__ import annotations

from datetime import date

import pytest

from relais.surveys import bulk
from relais.surveys.models import NpsCounter

pytestmark = pytest.mark.django_db

MONTH = date(2026, 11, 1)
ROWS = [
    ("product", "pac", MONTH, 1, 0, 0),
    ("reseller", "12", MONTH, 0, 0, 1),
    ("product", "pac", date(1970, 1, 1), 1, 0, 0),
]
AGAIN = [("product", "pac", MONTH, -1, 1, 0), ("departement", "69", MONTH, 0, 1, 0)]


def _stored() -> list[tuple]:
    return list(
        NpsCounter.objects.order_by("dimension", "key", "month").values_list(
            "dimension", "key", "month", "promoters", "passives", "detractors"
        )
    )


def test_the_upsert_and_the_orm_store_the_same_counters():
    bulk.counters_add(rows=ROWS)
    bulk.counters_add(rows=AGAIN)
    fast = _stored()
    NpsCounter.objects.all().delete()
    bulk.counters_add_orm(rows=ROWS)
    bulk.counters_add_orm(rows=AGAIN)
    assert fast == _stored()
    assert ("product", "pac", MONTH, 0, 1, 0) in fast  # a promoter turned passive
    assert len(fast) == 4
