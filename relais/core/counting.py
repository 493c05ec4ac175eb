"""Counting the rows of a long list without counting a million rows on every page.

Up to ``EXACT_UP_TO`` the count is exact and cheap (one query that stops at that many rows).
Above it — a manager's unfiltered list of every lead — it is the exact count of at most
``RELAIS_LIST_COUNT_SECONDS`` ago, computed once and shared by everyone asking for the same list
(the cache key is the query itself, so two scopes or two filters never share a count).
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet

EXACT_UP_TO = 10_000


def list_count(queryset: Any) -> int:
    """Rows in a list: a queryset counted as above, anything else by its length."""
    if not isinstance(queryset, QuerySet):
        return len(queryset)  # already in memory
    unordered = queryset.order_by()
    bounded = unordered[: EXACT_UP_TO + 1].count()
    if bounded <= EXACT_UP_TO:
        return bounded
    sql, params = unordered.query.sql_with_params()
    key = "count:" + hashlib.sha256(f"{queryset.db}|{sql}|{params!r}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = unordered.count()
        cache.set(key, found, timeout=settings.RELAIS_LIST_COUNT_SECONDS)
    return int(found)


class CountingPaginator(Paginator):
    """Django's paginator with ``list_count`` for its total."""

    @cached_property
    def count(self) -> int:
        return list_count(self.object_list)
