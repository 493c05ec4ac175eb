"""One signed POST to one endpoint (Standard Webhooks), to the address the guard checked, with
a timeout and no redirect followed (``http.client`` follows none)."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from standardwebhooks import Webhook

from relais.integrations.destinations import Refused, Target, resolve

EXCERPT = 500


@dataclass(frozen=True)
class Answer:
    """What the receiver said: ``code`` None when no answer came (refused, timeout, network)."""

    code: int | None
    excerpt: str
    error: str
    duration_ms: int
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def body_of(payload: dict[str, object]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def signature(secrets: list[str], msg_id: str, at: datetime, body: str) -> str:
    """``v1,<sig>`` for each secret, space-separated: during a rotation a receiver holding
    either secret verifies the message."""
    return " ".join(Webhook(secret).sign(msg_id, at, body) for secret in secrets)


def headers(secrets: list[str], msg_id: str, at: datetime, body: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "Relais-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature(secrets, msg_id, at, body),
    }


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _retry_after(value: str | None) -> int | None:
    """Seconds the receiver asked us to wait (only the delta-seconds form; a date is ignored)."""
    try:
        return max(0, int(value)) if value else None
    except ValueError:
        return None


def post(url: str, body: str, head: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``; never raises: every failure is an ``Answer`` without a code."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url)
    except Refused as exc:
        return Answer(None, "", str(exc), took())
    timeout = settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout)
    try:
        connection.request("POST", target.path, body=body.encode(), headers=head)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT * 4).decode("utf-8", "replace")[:EXCERPT]
        wait = _retry_after(response.getheader("retry-after"))
        return Answer(response.status, excerpt, "", took(), wait)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, "", (str(exc) or type(exc).__name__)[:300], took())
    finally:
        connection.close()
