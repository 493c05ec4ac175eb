"""A real SMTP server for the tests that run Relais in processes of their own: it listens on a
local port, speaks enough SMTP for Django's SMTP backend (and ``smtplib``), and keeps each
message it accepted.

``hold=n`` makes it take in the n-th message and wait before answering it, as a slow mail
server would: the test kills the sender while it waits for that answer. As SMTP has it, a
message the server never answered "250" to was not accepted, so when the sender is gone by then
the message is dropped, not kept (RFC 5321, 4.1.1.4 and 6.1)."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Mailbox:
    """What the server accepted, and the hold on the n-th message."""

    hold: int | None = None
    accepted: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    received: int = 0  # messages taken in, held and dropped ones included
    holding: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    dropped: int = 0

    def recipients(self) -> list[str]:
        with self.lock:
            return [to for rcpts, _message in self.accepted for to in rcpts]


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        box = self.server.mailbox
        self.reply("220 relais-test ESMTP")
        rcpts: list[str] = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 relais-test")
            elif verb == "MAIL":
                rcpts = []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = line.decode().split(":", 1)[1].strip().strip("<>")
                rcpts.append(address)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.message(box, rcpts, self._data())
                rcpts = []
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP
                self.reply("250 OK")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing
        return b"".join(lines)

    def message(self, box: Mailbox, rcpts: list[str], data: bytes) -> None:
        with box.lock:
            box.received += 1
            held = box.received == box.hold
        if held:
            box.holding.set()
            box.released.wait(timeout=120)
            if self._sender_gone():
                with box.lock:
                    box.dropped += 1
                return
        parsed = message_from_bytes(data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with box.lock:
            box.accepted.append((rcpts, parsed))
        self.reply("250 OK: queued")

    def _sender_gone(self) -> bool:
        """The peer closed its end (its process died): a read would return nothing."""
        self.request.setblocking(False)
        try:
            return self.request.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self.request.setblocking(True)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mailbox: Mailbox


@contextmanager
def smtp_server(hold: int | None = None) -> Iterator[tuple[int, Mailbox]]:
    """An SMTP server on 127.0.0.1 and a free port, in a thread: (its port, its mailbox)."""
    server = _Server(("127.0.0.1", 0), _Session)
    server.mailbox = Mailbox(hold=hold)
    thread = threading.Thread(target=server.serve_forever, name="smtp-test", daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.mailbox
    finally:
        server.mailbox.released.set()
        server.shutdown()
        server.server_close()
