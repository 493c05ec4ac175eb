"""The shared cache on the real Redis: every operation the project uses still answers, through
one Redis client per connection pool rather than one per call."""

import threading

import pytest
from django.core.cache import caches


@pytest.fixture
def cache(redis_cache):
    return redis_cache


def test_values_round_trip_and_add_does_not_overwrite(cache):
    assert cache.get("token") is None
    cache.set("token", {"user": 7, "scopes": ["read"]}, 60)
    assert cache.get("token") == {"user": 7, "scopes": ["read"]}
    assert cache.add("token", "other", 60) is False
    assert cache.add("marker", "forgotten", 60) is True
    assert cache.get_many(["token", "marker", "absent"]) == {
        "token": {"user": 7, "scopes": ["read"]},
        "marker": "forgotten",
    }
    cache.add("n", 1, 60)
    assert cache.incr("n", 2) == 3
    cache.delete("token")
    assert cache.get("token", "gone") == "gone"


def test_one_client_serves_every_call_of_a_thread(cache):
    backend = cache._cache
    first = backend.get_client()
    cache.set("a", 1, 60)
    assert cache.get("a") == 1
    assert backend.get_client() is first
    assert backend.get_client(write=True) is first  # one server: reads and writes share a pool


def test_each_thread_has_its_own_cache_and_they_share_the_values(cache):
    cache.set("shared", "yes", 60)
    seen: list[object] = []

    def read() -> None:
        seen.append(caches["default"].get("shared"))

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=10)
    assert seen == ["yes"]
