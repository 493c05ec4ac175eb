from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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
