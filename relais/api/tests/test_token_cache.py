"""API tokens served from the shared cache (Redis, as in production): one lookup, then none —
and every change that refuses a token takes effect on the next call."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.accounts.choices import Role
from relais.accounts.models import ApiToken
from relais.accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(redis_cache, settings):
    settings.RELAIS_API_TOKEN_CACHE_SECONDS = 60


@pytest.fixture
def call(client, manager, django_capture_on_commit_callbacks):
    _token, raw = api_token_create(user=manager, name="sync", scopes=["read", "write"])
    headers = {"Authorization": f"Bearer {raw}"}

    def me() -> tuple[int, str, int]:
        """The status, the role the API saw, and how many token lookups the call made."""
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.get("/api/v1/me", headers=headers)
        lookups = sum('FROM "accounts_apitoken"' in q["sql"] for q in queries.captured_queries)
        return response.status_code, response.json().get("role", ""), lookups

    return me


def test_the_token_is_read_once_then_served_from_the_cache(shared_cache, call):
    assert call() == (200, "manager", 1)
    assert call() == (200, "manager", 0)
    assert call() == (200, "manager", 0)


def test_without_a_shared_cache_every_call_reads_the_token(settings, call):
    settings.RELAIS_API_TOKEN_CACHE_SECONDS = 0
    assert call() == (200, "manager", 1)
    assert call() == (200, "manager", 1)


def test_a_revoked_token_is_refused_on_the_next_call(
    shared_cache, call, manager, django_capture_on_commit_callbacks
):
    assert call()[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        api_token_revoke(token=ApiToken.objects.get(user=manager))
    assert call()[0] == 401


def test_a_deleted_token_or_deactivated_user_is_refused_and_a_new_role_seen(
    shared_cache, call, manager, django_capture_on_commit_callbacks
):
    assert call()[:2] == (200, "manager")
    with django_capture_on_commit_callbacks(execute=True):
        manager.role = Role.ADMIN
        manager.save()
    assert call()[:2] == (200, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        manager.is_active = False
        manager.save()
    assert call()[0] == 401
    manager.is_active = True
    manager.save()
    assert call()[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        ApiToken.objects.filter(user=manager).delete()
    assert call()[0] == 401


def test_a_call_that_read_the_token_before_it_was_revoked_does_not_cache_it(
    shared_cache, manager, django_capture_on_commit_callbacks
):
    from relais.accounts import services

    token, raw = api_token_create(user=manager, name="raced", scopes=["read"])
    read_before = services._live_token(token.token_hash)  # a call in flight read it here
    with django_capture_on_commit_callbacks(execute=True):
        api_token_revoke(token=token)
    from django.core.cache import cache

    # ... and tries to cache what it read once the revocation is committed.
    assert not cache.add(services._token_key(token.token_hash), read_before, 60)
    assert services.api_token_authenticate(raw=raw) is None


def test_last_used_is_written_once_a_minute_across_calls(shared_cache, call, manager):
    call()
    first = ApiToken.objects.get(user=manager).last_used_at
    call()
    assert first is not None
    assert ApiToken.objects.get(user=manager).last_used_at == first
