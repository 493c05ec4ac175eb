"""Deleting many rows through Django's collector, a few thousand at a time."""

from __future__ import annotations

from itertools import batched
from typing import Any

from django.db.models import QuerySet

BATCH = 5_000


def delete_in_batches(queryset: QuerySet[Any], size: int = BATCH) -> int:
    """Delete the rows ``queryset`` selects, ``size`` at a time, each batch through Django's
    collector (its cascades and SET NULLs); returns how many of the queryset's own rows went.

    One ``delete()`` of them all sends every id a SET NULL touches in one UPDATE: PostgreSQL
    takes at most 65,535 parameters a statement when it binds them itself (the settings),
    and 70,000 leads went over."""
    model = queryset.model
    ids = list(queryset.values_list("pk", flat=True))
    deleted = 0
    for chunk in batched(ids, size):
        _total, by_model = model._base_manager.filter(pk__in=chunk).delete()
        deleted += by_model.get(model._meta.label, 0)
    return deleted
