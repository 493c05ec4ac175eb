"""Fixtures shared by every test: users per role, an API client with a token, a browser."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.accounts.services import api_token_create
from relais.core.reference import ensure_reference_data
from relais.leads.seed import ensure_seed as ensure_lead_seed
from relais.partners.seed import ensure_seed
from relais.testing.factories import PartnerFactory, UserFactory, partner_user
from relais.testing.services import redis_reachable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Migrations load départements and legal parameters; a transactional test's flush
    removes them, so every test that touches the database gets them back first."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        ensure_reference_data()
        ensure_seed()
        ensure_lead_seed()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploaded files of a test go to its own temporary folder, never into data/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def redis_cache(settings: Any) -> Any:
    """The project's Redis cache on the machine's real Redis (database 13), with a key prefix
    of this test's own; skipped where no Redis answers."""
    if not redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": uuid.uuid4().hex,
        }
    }
    return caches["default"]


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(role=Role.MANAGER)


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def salesperson(db: None) -> User:
    return UserFactory(role=Role.SALESPERSON)


@pytest.fixture
def introducer_user(db: None) -> User:
    return partner_user(PartnerFactory())


@pytest.fixture
def reseller_user(db: None) -> User:
    return partner_user(PartnerFactory(reseller=True))


@pytest.fixture
def api_client(db: None) -> Callable[..., Client]:
    """``api_client(user, scopes=("read",))`` → a client sending that user's bearer token."""

    def make(user: User, scopes: tuple[str, ...] = ("read", "write")) -> Client:
        _token, raw = api_token_create(user=user, name="tests", scopes=scopes)
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: browser tests need it (make test).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
