"""One signed POST to one endpoint (Standard Webhooks), to the address the guard checked, within
one overall deadline, and no redirect followed (``http.client`` follows none).

The deadline (``RELAIS_WEBHOOK_TIMEOUT_SECONDS``) covers the whole attempt: a socket timeout alone
bounds each read, so a receiver dripping a byte every few seconds would hold a worker for ever.
One watchdog thread shuts the socket down when the deadline passes, which ends whatever read or
write is blocked (TLS too: the raw socket under it is shut)."""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import json
import socket
import ssl
import threading
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


class _Deadline:
    """Shuts the connection's raw socket down once ``seconds`` have passed (``_WATCHDOG``)."""

    def __init__(self, seconds: float):
        self.raw: socket.socket | None = None
        self.passed = False
        self.done = False
        self._lock = threading.Lock()
        self._seconds = seconds

    def __enter__(self) -> _Deadline:
        _WATCHDOG.watch(time.monotonic() + self._seconds, self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def finish(self) -> None:
        """The attempt is over (answered or failed): the deadline no longer applies."""
        with self._lock:
            self.done = True

    def holds(self, raw: socket.socket) -> socket.socket:
        with self._lock:
            self.raw = raw
        if self.passed:  # connected just as the deadline passed
            self._shut()
        return raw

    def expire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.passed = True
        self._shut()

    def _shut(self) -> None:
        if self.raw is not None:
            with contextlib.suppress(OSError):
                self.raw.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One thread keeps every attempt's deadline, soonest first: a timer thread per attempt
    cost about 0.3 ms a POST. Attempts that finished are dropped as they come up."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._wake = threading.Condition()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, at: float, deadline: _Deadline) -> None:
        with self._wake:
            if self._thread is None or not self._thread.is_alive():  # first use, or forked
                self._thread = threading.Thread(
                    target=self._run, name="webhook-deadlines", daemon=True
                )
                self._thread.start()
            heapq.heappush(self._heap, (at, next(self._order), deadline))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                due = heapq.heappop(self._heap)[2]
            due.expire()


_WATCHDOG = _Watchdog()


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, deadline: _Deadline, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address
        self._deadline = deadline

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._deadline.holds(raw)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, deadline: _Deadline, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address
        self._deadline = deadline

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self._deadline.holds(raw)
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
    late = f"timed out: no full answer within {timeout} s"
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    with _Deadline(max(timeout - (time.monotonic() - started), 0.001)) as deadline:
        connection = kind(target, deadline, timeout)
        try:
            connection.request("POST", target.path, body=body.encode(), headers=head)
            response = connection.getresponse()
            excerpt = response.read(EXCERPT * 4).decode("utf-8", "replace")[:EXCERPT]
            wait = _retry_after(response.getheader("retry-after"))
            answer = Answer(response.status, excerpt, "", took(), wait)
        except (OSError, http.client.HTTPException) as exc:
            answer = Answer(None, "", (str(exc) or type(exc).__name__)[:300], took())
        finally:
            deadline.finish()
            connection.close()
    # Past the deadline, even what looked like an answer was cut short: a timeout.
    return Answer(None, "", late, took()) if deadline.passed else answer
