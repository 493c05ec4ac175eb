"""The shared cache (django-redis, as ``REDIS_URL`` configures it) on the real Redis: every
operation the project uses answers, through one Redis client per thread's cache rather than one
per call."""

import threading

from django.core.cache import caches


def test_values_round_trip_and_add_does_not_overwrite(redis_cache):
    assert redis_cache.get("token") is None
    redis_cache.set("token", {"user": 7, "scopes": ["read"]}, 60)
    assert redis_cache.get("token") == {"user": 7, "scopes": ["read"]}
    assert redis_cache.add("token", "other", 60) is False
    assert redis_cache.add("marker", "forgotten", 60) is True
    assert redis_cache.get_many(["token", "marker", "absent"]) == {
        "token": {"user": 7, "scopes": ["read"]},
        "marker": "forgotten",
    }
    redis_cache.add("n", 1, 60)
    assert redis_cache.incr("n", 2) == 3
    redis_cache.delete("token")
    assert redis_cache.get("token", "gone") == "gone"


def test_one_client_serves_every_call_of_a_thread(redis_cache):
    backend = redis_cache.client
    first = backend.get_client(write=True)
    redis_cache.set("a", 1, 60)
    assert redis_cache.get("a") == 1
    assert backend.get_client(write=True) is first
    assert backend.get_client(write=False) is first  # one server: reads and writes share it


def test_each_thread_has_its_own_cache_and_they_share_the_values(redis_cache):
    redis_cache.set("shared", "yes", 60)
    seen: list[object] = []

    def read() -> None:
        seen.append(caches["default"].get("shared"))

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=10)
    assert seen == ["yes"]
