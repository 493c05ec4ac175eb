"""A production-like server (gunicorn, 2 × cores + 1 sync workers, DEBUG off) and a small load
generator (threads over urllib3 connection pools). The generator shares the machine's two cores
with the server: the same handicap applies to the floor, which is why ratios matter more than
raw rates."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import urllib3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def default_workers() -> int:
    """gunicorn's own advice: two workers per core, plus one (a sync worker waits on the
    database half the time)."""
    return 2 * (os.cpu_count() or 1) + 1


class Server:
    def __init__(self, env: dict[str, str], workers: int = 0) -> None:
        self.workers = workers or default_workers()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "relais.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            env={**env, "DEBUG": "false"},
        )
        self._wait()

    def _wait(self) -> None:
        http = urllib3.PoolManager(retries=False)
        for _ in range(300):
            try:
                if http.request("GET", self.url + "/ping", timeout=1).status == 200:
                    return
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the benchmark server did not start")

    def warm(
        self,
        path: str,
        headers: dict[str, str],
        rounds: int = 2,
        *,
        method: str = "GET",
        body: Callable[[int], bytes] | None = None,
    ) -> None:
        """Have every worker serve ``path`` before it is timed: its first request opens its
        database connection (~10 ms more on PostgreSQL, whose new backend also loads its
        catalogue) and fills its caches; a worker's first batch of 1,000 leads took ~350 ms
        instead of ~220. ``body(n)`` is the n-th request's body (a write sends new rows each
        time). Requests sent one after the other reach the workers unevenly (one worker may
        take them all), so each round opens one connection per worker and sends each
        request's head without its end: a sync worker that accepted a connection waits for
        the rest of its request, and cannot take another, so the connections land on
        distinct workers; then every request is completed."""
        for round_ in range(rounds):
            bodies = [body(round_ * self.workers + n) if body else b"" for n in range(self.workers)]
            held = [
                socket.create_connection(("127.0.0.1", self.port), timeout=60)
                for _ in range(self.workers)
            ]
            for connection, content in zip(held, bodies, strict=True):
                connection.sendall(_head(method, path, headers, len(content)).encode())
            time.sleep(0.3)  # idle workers accept at once
            for connection, content in zip(held, bodies, strict=True):
                connection.sendall(b"\r\n" + content)
            for connection in held:
                answer = _read_all(connection)
                if not answer.startswith((b"HTTP/1.1 2", b"HTTP/1.0 2")):
                    raise RuntimeError(f"warming {path}: {answer[:80]!r}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _head(method: str, path: str, headers: dict[str, str], length: int) -> str:
    """A request's head without the blank line that ends it."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if length:
        lines.append(f"Content-Length: {length}")
    return "".join(line + "\r\n" for line in lines)


def _read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (then closed here too)."""
    with connection:
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    done: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


Request = Callable[[urllib3.PoolManager, int], Any]  # returns the response


def run_load(request: Request, *, users: int, seconds: float) -> Load:
    """``users`` threads send requests back to back for ``seconds``."""
    load, lock = Load(), threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user(number: int) -> None:
        http = urllib3.PoolManager(maxsize=2, retries=False)
        count = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                response = request(http, number * 1_000_000 + count)
                ok = response.status < 400
            except urllib3.exceptions.HTTPError:
                ok = False
            elapsed = time.perf_counter() - started
            count += 1
            with lock:
                load.latencies.append(elapsed)
                load.done += 1 if ok else 0
                load.errors += 0 if ok else 1

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - started
    return load
