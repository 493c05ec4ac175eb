"""Counting the rows of a long list without counting a million rows on every page.

Up to ``EXACT_UP_TO`` the count is exact and cheap (one query that stops at that many rows).
Above it — a manager's unfiltered list of every lead — it is the exact count of at most
``RELAIS_LIST_COUNT_SECONDS`` ago, computed once and shared by everyone asking for the same list
(the cache key is the query itself, so two scopes or two filters never share a count). When
it is due, one asker recounts while the others keep the count of a minute ago: fifty people on
the same list do not all count a million rows at the same moment.
"""

from __future__ import annotations

import hashlib
import time
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet

EXACT_UP_TO = 10_000
KEPT_SECONDS = 24 * 3600  # a due count is still served while it is being recounted
RECOUNT_SECONDS = 60  # the longest one recount may take before another asker tries


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
    found: tuple[int, float] | None = cache.get(key)
    now = time.time()
    if found is not None and now - found[1] < settings.RELAIS_LIST_COUNT_SECONDS:
        return found[0]
    if found is not None and not cache.add(f"{key}:recount", 1, timeout=RECOUNT_SECONDS):
        return found[0]  # someone is recounting it
    count = unordered.count()
    cache.set(key, (count, now), timeout=KEPT_SECONDS)
    cache.delete(f"{key}:recount")
    return count


class CountingPaginator(Paginator):
    """Django's paginator with ``list_count`` for its total."""

    @cached_property
    def count(self) -> int:
        return list_count(self.object_list)
