"""Each rate limit holds across processes: two real servers share one database (then one Redis),
requests go to one and the other in turn, and the one past the limit is refused whichever
server it reaches."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from django.conf import settings
from django.db import connection

from relais.testing.services import redis_reachable

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).parent / "gunicorn"
LIMITS = {
    "RELAIS_REFERRAL_MAX_PER_HOUR": "3",
    "RELAIS_MAGIC_LINK_MAX_PER_HOUR": "1",  # a connection may then ask for 4 links an hour
    "RELAIS_API_MAX_PER_MINUTE": "4",
}
# Run in the servers' environment: the partner, its user and an API token the requests use.
FIXTURES = """
import json, django
django.setup()
from relais.accounts.services import api_token_create
from relais.core.reference import ensure_reference_data
from relais.leads.seed import ensure_seed as ensure_lead_seed
from relais.partners.seed import ensure_seed
from relais.testing.factories import PartnerFactory, partner_user
ensure_reference_data(); ensure_seed(); ensure_lead_seed()
run = __import__("secrets").token_hex(4)  # the file outlives a test: names new each time
partner = PartnerFactory(referral_code="proc" + run, email=f"partner-{run}@example.fr")
user = partner_user(partner, email=f"user-{run}@example.fr")
_token, raw = api_token_create(user=user, name="two servers", scopes=("read",))
print(json.dumps({"code": partner.referral_code, "email": user.email, "token": raw}))
"""

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file, migrated once, for the servers of every test here."""
    data = tmp_path_factory.mktemp("two-servers")
    env = {**_base_env(), "RELAIS_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    _run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env)
    return data


def _base_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relais.settings", "DEBUG": "false", **LIMITS}
    env.pop("REDIS_URL", None)
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.fixture
def server_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The servers' environment: on PostgreSQL, the test's own database; else the SQLite file."""
    env = {
        **_base_env(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env.pop("DATABASE_URL", None)
        env["RELAIS_DATA_DIR"] = str(request.getfixturevalue("sqlite_file"))
    if request.param == "redis":
        if not redis_reachable():
            pytest.skip("no Redis on 127.0.0.1:6379")
        env["REDIS_URL"] = "redis://127.0.0.1:6379/3"
    return env


class Servers:
    """Two gunicorn processes (one worker each) on two loopback ports, and a client that sends
    each request to the other server than the last one, from a loopback address of its own
    (the limits count per address; the address is new at each test, so Redis's counters from
    an earlier run never meet it)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.ports: list[int] = []
        source = "127." + ".".join(str(2 + secrets.randbelow(250)) for _ in range(3))
        self.pools: list[urllib3.HTTPConnectionPool] = []
        self.turn = 0
        self.cookies: dict[str, str] = {}
        for _ in range(2):
            port = _free_port()
            command = [
                str(GUNICORN),
                "relais.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ]
            self.processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
            self.pools.append(
                urllib3.HTTPConnectionPool(
                    "127.0.0.1", port, source_address=(source, 0), retries=False, timeout=30
                )
            )

    def wait_until_up(self) -> None:
        for pool in self.pools:
            _wait_until_up(pool)

    def next_server(self) -> urllib3.HTTPConnectionPool:
        """Server 0, then server 1, then server 0…"""
        pool, self.turn = self.pools[self.turn], 1 - self.turn
        return pool

    def request(
        self, method: str, path: str, pool: urllib3.HTTPConnectionPool | None = None, **kwargs: Any
    ) -> urllib3.BaseHTTPResponse:
        pool = pool or self.next_server()
        headers = dict(kwargs.pop("headers", {}))
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = pool.request(method, path, headers=headers, **kwargs)
        for cookie in response.headers.getlist("Set-Cookie"):
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response

    def post_form(self, path: str, fields: dict[str, str]) -> urllib3.BaseHTTPResponse:
        """A form as a browser sends it: the page first (its CSRF token), then the POST, both
        to the next server."""
        pool = self.next_server()
        page = self.request("GET", path, pool).data.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        return self.request(
            "POST",
            path,
            pool,
            fields={**fields, "csrfmiddlewaretoken": token.group(1)},
            encode_multipart=False,
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(pool: urllib3.HTTPConnectionPool) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if pool.request("GET", "/ping", timeout=2).status == 200:
                return
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {pool.port} did not start")


def _clear_of_a_window_edge(window: int, margin: int = 15) -> None:
    """Windows start on the clock: wait (at most ``margin`` s) if one is about to turn over,
    so that the requests of a test all fall in one window."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.5)


@pytest.fixture
def servers(server_env: dict[str, str]) -> Iterator[tuple[Servers, dict[str, str]]]:
    pair = Servers(server_env)  # they start while the fixtures are made
    try:
        made = json.loads(_run([sys.executable, "-c", FIXTURES], server_env).splitlines()[-1])
        pair.wait_until_up()
        yield pair, made
    finally:
        pair.stop()


@pytest.mark.parametrize("server_env", ["database", "redis"], indirect=True)
def test_every_limit_holds_across_two_server_processes(servers, server_env):
    pair, made = servers
    _clear_of_a_window_edge(3600)  # the API's minute is checked within it too
    _the_referral_link_refuses_the_request_past_the_limit(pair, made)
    _login_link_requests_past_the_allowance_of_a_connection_are_refused(pair, made, server_env)
    _the_api_refuses_the_call_past_the_allowance_of_a_token(pair, made)


def _the_referral_link_refuses_the_request_past_the_limit(pair: Servers, made: dict) -> None:
    codes = []
    for n in range(int(LIMITS["RELAIS_REFERRAL_MAX_PER_HOUR"]) + 2):
        response = pair.post_form(
            f"/r/{made['code']}/",
            {
                "last_name": "Proc",
                "phone": f"06 12 34 56 {n:02d}",
                "postcode": "31000",
                "website": "",
            },
        )
        codes.append(response.status)
    assert codes == [200, 200, 200, 429, 429]


def _login_link_requests_past_the_allowance_of_a_connection_are_refused(
    pair: Servers, made: dict, server_env: dict[str, str]
) -> None:
    # The known address asks three times: one link an hour (RELAIS_MAGIC_LINK_MAX_PER_HOUR),
    # the same page each time — the page does not tell who is limited.
    codes = [pair.post_form("/login/link/", {"email": made["email"]}).status for _ in range(3)]
    assert codes == [200, 200, 200]
    mails = "".join(p.read_text() for p in Path(server_env["EMAIL_FILE_PATH"]).iterdir())
    assert mails.count(f"To: {made['email']}") == 1
    # The connection may ask 4 links an hour, for unknown addresses as for known ones.
    unknown = pair.post_form("/login/link/", {"email": "nobody@example.fr"})
    refused = pair.post_form("/login/link/", {"email": "nobody-else@example.fr"})
    assert (unknown.status, refused.status) == (200, 429)


def _the_api_refuses_the_call_past_the_allowance_of_a_token(pair: Servers, made: dict) -> None:
    _clear_of_a_window_edge(60)
    headers = {"Authorization": f"Bearer {made['token']}"}
    limit = int(LIMITS["RELAIS_API_MAX_PER_MINUTE"])
    answers = [pair.request("GET", "/api/v1/me", headers=headers) for _ in range(limit + 2)]
    assert [a.status for a in answers] == [200] * limit + [429, 429]
    refused = answers[limit]
    assert json.loads(refused.data)["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
