"""Relais run as separate processes on a database of their own, for the tests that kill a worker
or start the production topology: the processes share nothing with the test but that database,
the data directory and Redis, as in production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def postgres_reachable(url: str = PG_SERVER) -> bool:
    import psycopg

    try:
        psycopg.connect(_with_name(url, "postgres"), connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def _with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_with_name(url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def throwaway_postgres(server_url: str, name: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``, dropped afterwards."""
    _pg(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield _with_name(server_url, name)
    finally:
        _pg(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def process_database(tmp_path: Path, label: str) -> Iterator[str]:
    """The database the processes share: a throwaway PostgreSQL database next to the suite's
    when the suite runs on PostgreSQL (named after it, so it stays among the names its owner
    may use), else an SQLite file in ``tmp_path``."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        name = f"{urlsplit(url).path.lstrip('/')}_{label}_{os.getpid()}"
        with throwaway_postgres(url, name) as own:
            yield own
    else:
        yield f"sqlite:///{tmp_path / f'{label}.sqlite3'}"


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the shared database as an outsider (no Django in this process's way)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(sql, params).fetchall()


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    """``manage.py <args>`` run to its end; its output, or the failure with its stderr."""
    result = subprocess.run(  # noqa: S603 - our own manage.py, arguments from the tests
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def start(env: dict[str, str], *command: str, log: Path) -> subprocess.Popen[bytes]:
    """A long-running process (worker, web server) in its own process group, output to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - commands written by the tests
            list(command),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the process and every process under it: gunicorn's workers, and RQ's work
    horse, which runs the job in a process group of its own (``os.setpgrp``), so killing the
    worker's group alone would leave the job running."""
    family = _descendants(process.pid)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    for pid in family:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def _descendants(pid: int) -> list[int]:
    """The processes under ``pid``, from /proc (Linux): each one's parent is in its stat."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            # "pid (name) state ppid …": the name may hold spaces, so split after its ")".
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def wait_for[T](what: str, probe: Callable[[], T | None], timeout: float, every: float = 0.02) -> T:
    """Poll ``probe`` until it returns something; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := probe()) is not None:
            return found
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def python(*extra: str) -> list[str]:
    return [sys.executable, *extra]


@contextmanager
def worker_environment(tmp_path: Path, label: str, **settings: str) -> Iterator[dict[str, str]]:
    """The environment of processes that share a migrated database of their own: the database
    task backend, no Redis, a data folder in ``tmp_path``, and ``settings`` on top (a worker
    silent for ``RELAIS_STALLED_AFTER_SECONDS`` taken for dead, say)."""
    with process_database(tmp_path, label) as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relais.settings",
            "DATABASE_URL": database_url,
            "RELAIS_DATA_DIR": str(tmp_path / "data"),
            "TASK_BACKEND": "database",
            **settings,
        }
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "-v0")
        yield env


@contextmanager
def mailing_environment(
    tmp_path: Path, label: str, smtp_port: int, **settings: str
) -> Iterator[dict[str, str]]:
    """``worker_environment`` whose processes send their mail over SMTP to the server the test
    runs on ``smtp_port`` (``relais.testing.smtp``), where the test reads what arrived."""
    with worker_environment(
        tmp_path,
        label,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        **settings,
    ) as env:
        yield env


def db_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``manage.py db_worker`` polling every 0.2 s, output to ``log``."""
    return start(
        env,
        *python("manage.py", "db_worker", "--no-startup-delay", "--no-reload"),
        "--interval",
        "0.2",
        log=log,
    )
