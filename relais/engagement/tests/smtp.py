"""A real SMTP server for the tests of programme e-mails: aiosmtpd listening on 127.0.0.1 and a
free port, and Django's SMTP backend pointed at it (``MAILERS`` as ``relais/settings.py`` builds
it for ``EMAIL_BACKEND=…smtp.EmailBackend``). What the server received is parsed back as a mail
client would read it, headers included.

Use it by importing the fixture into a test module::

    from relais.engagement.tests.smtp import smtp_server  # noqa: F401 - a pytest fixture

    def test_x(smtp_server):
        mail.send_mail(...)
        (received,) = smtp_server.messages
        received["List-Unsubscribe"]
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    """What the server accepted: each message parsed, and who it was addressed to (the SMTP
    envelope's RCPT TO, which Bcc recipients are in and the headers are not)."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope named ``address``."""
        with self.lock:
            pairs = list(zip(self.envelopes, self.messages, strict=True))
        return [message for rcpts, message in pairs if address in rcpts]


class _Keeper:
    """aiosmtpd's handler: every message is accepted ("250") and kept."""

    def __init__(self, received: Received):
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.received.lock:
            self.received.messages.append(parsed)
            self.received.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK: queued"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_mailers(port: int) -> dict[str, dict[str, Any]]:
    """``settings.MAILERS`` for Django's SMTP backend talking to 127.0.0.1:``port``."""
    options = {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10}
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Received]:
    """A running SMTP server and the mail settings that send to it (undone after the test)."""
    received = Received(port=_free_port())
    controller = Controller(_Keeper(received), hostname="127.0.0.1", port=received.port)
    controller.start()
    settings.MAILERS = smtp_mailers(received.port)
    try:
        yield received
    finally:
        controller.stop()
