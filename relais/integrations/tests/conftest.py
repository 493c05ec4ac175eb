from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from relais.integrations.tests.receiver import Receiver, start


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """A local receiver, and the settings that let webhooks reach it (http, 127.0.0.1)."""
    settings.RELAIS_WEBHOOK_ALLOW_HTTP = True
    settings.RELAIS_WEBHOOK_ALLOW_PRIVATE = True
    server = start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(autouse=True)
def english(request: Any, settings: Any) -> Iterator[None]:
    """The tests read pages and messages in English (the msgids), whatever the default
    language (every test client's requests too): a test of the French wording says so."""
    settings.LANGUAGE_CODE = "en"
    if "client" in request.fixturenames:
        request.getfixturevalue("client").defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
