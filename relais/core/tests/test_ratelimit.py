"""The fixed-window counter, on both engines: the database table, and Redis."""

import threading
import uuid
from datetime import UTC, datetime

import pytest
from django.core.cache import caches
from django.db import connection
from freezegun import freeze_time

from relais.core import ratelimit
from relais.core.models import RateCounter
from relais.testing.services import redis_reachable

pytestmark = pytest.mark.django_db
NOON = "2026-12-02 12:00:00"  # UTC
NOON_SECONDS = int(datetime(2026, 12, 2, 12, tzinfo=UTC).timestamp())


@pytest.fixture
def redis_db3(settings):
    """The project's Redis cache on the real Redis (database 3), with a prefix of its own."""
    if not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    return caches["default"]


@pytest.fixture(params=["database", "redis"])
def engine(request):
    """Each test runs on the database table, then on Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_db3")
    return request.param


def test_a_key_gets_its_limit_then_is_refused_until_its_window_ends(engine):
    with freeze_time(NOON) as clock:
        assert [ratelimit.hit("k", limit=3, window=60) for _ in range(5)] == [
            True,
            True,
            True,
            False,
            False,
        ]
        clock.tick(59)
        assert ratelimit.hit("k", limit=3, window=60) is False
        assert ratelimit.retry_after(60) == 1
        clock.tick(1)
        assert ratelimit.hit("k", limit=3, window=60) is True


def test_keys_are_counted_apart(engine):
    with freeze_time(NOON):
        assert ratelimit.hit("a", limit=1, window=60) is True
        assert ratelimit.hit("b", limit=1, window=60) is True
        assert ratelimit.hit("a", limit=1, window=60) is False


def test_the_database_engine_is_one_statement_and_prunes_windows_that_are_over(
    django_assert_num_queries,
):
    with freeze_time(NOON) as clock:
        ratelimit.hit("old", limit=5, window=60)
        ratelimit.hit("k", limit=5, window=3600)
        with django_assert_num_queries(1):
            ratelimit.hit("k", limit=5, window=3600)
        clock.tick(60)
        ratelimit.hit("new", limit=5, window=60)
    assert set(RateCounter.objects.values_list("key", flat=True)) == {"k", "new"}


def test_the_redis_engine_leaves_no_key_behind_its_window(redis_db3):
    with freeze_time(NOON):
        ratelimit.hit("k", limit=5, window=60)
    key = redis_db3.make_and_validate_key(f"ratelimit:k:{NOON_SECONDS}")
    assert 0 < redis_db3.client.get_client(write=False).ttl(key) <= 60


@pytest.mark.django_db(transaction=True)
def test_hits_at_the_same_moment_never_pass_the_limit(engine):
    """Eight threads, each with its own connection, hit one key forty times at once."""
    if engine == "database" and connection.vendor == "sqlite":
        # The in-memory test database of SQLite locks whole tables between its connections:
        # the two-process test covers SQLite, on a file as in production.
        pytest.skip("SQLite's in-memory test database")
    results: list[bool] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        try:
            results.extend(ratelimit.hit("shared", limit=100, window=3600) for _ in range(40))
        finally:
            connection.close()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    with freeze_time(NOON):  # one window for the whole test
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(results) == 320
    assert results.count(True) == 100
