"""Fixed-window rate limits that every process counts together: ``hit(key, limit=, window=)``.

The default cache without Redis is LocMemCache, one per process: a limit counted there lets N
processes allow N times the limit. So the hits go where every process sees them:

- Redis, when the default cache is Redis (``REDIS_URL``, django-redis): INCR and EXPIRE in one
  script, one round trip;
- else the database: one ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` on ``core.RateCounter``
  (SQLite ≥ 3.35 and PostgreSQL), atomic on both — the unique (key, window) makes two processes'
  first hits meet on one row. The ORM has no increment-on-conflict, hence the hand-written SQL.

Windows are aligned on the clock (``window_start`` = now rounded down to a multiple of
``window``), so a refused caller can be told when to come back (``retry_after``).
Call ``hit`` outside a transaction: inside one, PostgreSQL would hold the counter's row lock
until the transaction ends and make every other request on the key wait for it.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import BaseCache, caches
from django.db import connection

from relais.core.errors import DomainError
from relais.core.models import RateCounter

try:  # the ``redis`` extra; without it the cache is never Redis
    from django_redis.cache import RedisCache

    _REDIS: tuple[type[BaseCache], ...] = (RedisCache,)
except ImportError:  # pragma: no cover
    _REDIS = ()


class RateLimited(DomainError):
    """Refused past a rate limit (HTTP 429); ``retry_after`` is in seconds."""

    status = 429

    def __init__(self, message: str, *, retry_after: int = 0, code: str = "rate_limited") -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit on ``key`` in the current window of ``window`` seconds; False once the hits
    of this window pass ``limit`` (a refused hit is counted too: hammering does not help)."""
    now = int(time.time())
    start = now - now % window
    cache = caches["default"]
    if isinstance(cache, _REDIS):
        return _redis_hits(cache, f"ratelimit:{key}:{start}", window) <= limit
    return _database_hits(key, start, start + window, now) <= limit


def retry_after(window: int) -> int:
    """Seconds until the current window ends: a refused caller's Retry-After."""
    return window - int(time.time()) % window


# INCR, and EXPIRE at a key's first hit, run by Redis as one command: atomic, one round trip,
# one reply (a MULTI pipeline cost the client a third more CPU). A relative expiry, not the
# window's end: the app's clock and Redis's need not agree; a key names its window, so no later
# window reads it.
_INCR_EXPIRE = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return hits
"""
_scripts: dict[int, Any] = {}


def _redis_hits(cache: Any, name: str, window: int) -> int:
    key = cache.make_and_validate_key(name)  # the cache's KEY_PREFIX and version apply
    client = cache.client.get_client(write=True)  # django-redis's one client per cache
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_INCR_EXPIRE)
    return int(script(keys=[key], args=[window]))


# Quoted the standard way, which SQLite and PostgreSQL share (the table is RateCounter's).
_UPSERT = (
    'INSERT INTO "core_ratecounter" ("key", "window_start", "expires_at", "hits") '
    'VALUES (%s, %s, %s, 1) ON CONFLICT ("key", "window_start") '
    'DO UPDATE SET "hits" = "core_ratecounter"."hits" + 1 RETURNING "hits"'
)


# The windows now over are dropped at a key's first hit of a window, at most once a minute by
# each process: a public page hit from many addresses (one survey click each) would otherwise
# pay a DELETE on every click. Rows past their window are never counted (a key names its
# window), so pruning late costs only a few rows kept a little longer.
PRUNE_EVERY = 60
_pruned_at = 0


def _database_hits(key: str, start: int, expires_at: int, now: int) -> int:
    global _pruned_at
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key, start, expires_at])
        hits = int(cursor.fetchone()[0])
    if hits == 1 and not 0 <= now - _pruned_at < PRUNE_EVERY:  # (a clock set back prunes too)
        _pruned_at = now
        RateCounter.objects.filter(expires_at__lte=now).delete()
    return hits
