"""The production topology, run as the README's production section tells production to run it.

``make prod-check`` (run by ``.ci/run`` after the PostgreSQL suite): a throwaway database on the
machine's PostgreSQL, Redis db 5, the README's commands (migrate, collectstatic,
start_schedules, gunicorn twice — two application servers behind one proxy — and the RQ
worker), then one lead from the API to its SEPA transfer, ``/healthz``, and a worker killed
with SIGKILL in the middle of an import whose work the next worker finishes, each row once.

The README's block is read, not copied: its ``export`` lines give the environment (the check
substitutes its own secret, database, Redis database and ports, and keeps every other value),
its other lines are run as written — those ending in ``&`` as long-running services. Prints one
line per step; exits 0 with a SKIPPED line when PostgreSQL or Redis is unreachable.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import urllib3

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from relais.testing.processes import (  # noqa: E402
    PG_SERVER,
    kill,
    postgres_reachable,
    query,
    start,
    throwaway_postgres,
    wait_for,
)
from relais.testing.services import redis_reachable  # noqa: E402

REDIS_URL = os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379/5")
DATABASE = os.environ.get("PROD_CHECK_DATABASE", f"relais_prodcheck_{os.getpid()}")
SECTION = ("### PostgreSQL and Redis (the large network)", "## Accounts and roles")
IMPORT_ROWS = 6000
PASSWORD = secrets.token_urlsafe(16)

SETUP = """
import json
from datetime import date
from decimal import Decimal
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.commissions.tests.conftest import active_plan, signed_partner
from relais.routing.tests.conftest import make_reseller
from relais.testing.factories import partner_user
manager = User.objects.create_user("manager@relais.example.fr", password=PASSWORD, role=Role.MANAGER)
introducer = signed_partner(mandate=False)  # a private individual: paid the commission as is
reseller = make_reseller(departements=("69",))
active_plan(manager, dict(trigger="won", formula="fixed", amount=Decimal("150.00")))
print(json.dumps({
    "introducer": partner_user(introducer).email, "iban": introducer.iban,
    "reseller": partner_user(reseller).email, "reseller_id": reseller.pk,
}))
"""


START = time.monotonic()


def step(message: str) -> None:
    print(f"prod-check [{time.monotonic() - START:5.0f} s] {message}", flush=True)


def readme_block() -> tuple[dict[str, str], list[list[str]]]:
    """The README production block: its exported variables and its command lines."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index(SECTION[0]) : text.index(SECTION[1])]
    block = next(b for b in re.findall(r"```sh\n(.*?)```", section, re.S) if "gunicorn" in b)
    exported: dict[str, str] = {}
    commands: list[list[str]] = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "export":
            exported |= dict(w.split("=", 1) for w in words[1:])
        elif words:
            commands.append(words)
    return exported, commands


def environment(exported: dict[str, str], database_url: str, data: Path) -> dict[str, str]:
    """The README's variables, with the check's own secret, database and Redis database."""
    ours = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
    }
    missing = sorted(set(ours) - set(exported))
    assert not missing, f"the README's production block does not export {missing}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    return {
        **env,
        **exported,
        **ours,
        "DJANGO_SETTINGS_MODULE": "relais.settings",
        # Not the README's business: where files go, where mail goes, and a worker taken for
        # dead after 5 s (300 in production) so the check needs no five minutes.
        "RELAIS_DATA_DIR": str(data),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "RELAIS_STALLED_AFTER_SECONDS": "5",
        "RELAIS_RESUME_SWEEP_SECONDS": "2",
    }


def run_to_end(command: list[str], env: dict[str, str]) -> str:
    import subprocess

    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{shlex.join(command)} failed:\n{result.stderr[-3000:]}"
    return result.stdout


class Browser:
    """One client behind the proxy: HTTPS as the proxy says, the public host name, cookies
    kept by hand (they are Secure, and the hop to the application is plain HTTP)."""

    def __init__(self, servers: list[str], host: str) -> None:
        self.servers, self.host, self.turn = servers, host, 0
        self.http = urllib3.PoolManager(retries=False, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        server = self.servers[self.turn % len(self.servers)]  # each request to the next server
        self.turn += 1
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{self.host}",
            "Referer": f"https://{self.host}{path}",
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(
            method, server + path, headers=headers, redirect=False, **kwargs
        )
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response

    def csrf(self, path: str) -> str:
        page = self.request("GET", path)
        assert page.status == 200, (path, page.status)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.data.decode())
        assert found, f"no form on {path}"
        return found.group(1)

    def post_form(self, path: str, fields: dict[str, Any], page: str | None = None) -> Any:
        token = self.csrf(page or path)
        return self.request(
            "POST", path, fields={"csrfmiddlewaretoken": token, **fields}, encode_multipart=False
        )

    def api(self, method: str, path: str, token: str, body: Any = None) -> Any:
        response = self.request(
            method,
            "/api/v1" + path,
            body=json.dumps(body) if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert response.status in (200, 201), (path, response.status, response.data[:500])
        return response.json()


def lead_to_sepa(browser: Browser, env: dict[str, str], people: dict[str, Any]) -> None:
    def token(email: str) -> str:
        command = ["manage.py", "api_token", "create", "--email", email, "--scopes", "read,write"]
        return run_to_end([sys.executable, *command], env).strip()

    introducer, manager, reseller = (
        token(people[k]) for k in ("introducer", "manager", "reseller")
    )
    lead = browser.api(
        "POST",
        "/leads",
        introducer,
        {
            "last_name": "Martin",
            "phone": "0612345678",
            "postcode": "69003",
            "email": "martin@orange.fr",
            "need": "Isolation des combles",
        },
    )
    step(f"lead {lead['id']} submitted through the API by its introducer")
    browser.api("POST", f"/leads/{lead['id']}/transitions", manager, {"to": "qualified"})
    # Routing follows the qualification through the outbox: the RQ worker delivers the event
    # a moment after the request, so the reseller sees the lead once it has.
    inbox = wait_for(
        "the qualified lead in the reseller's inbox",
        timeout=30,
        every=0.25,
        probe=lambda: browser.api("GET", "/inbox", reseller)["items"] or None,
    )
    assert [item["id"] for item in inbox] == [lead["id"]], inbox
    step("qualified and routed by the worker: the lead is in the reseller's inbox")
    browser.api("POST", f"/inbox/{lead['id']}/open", reseller)
    won = browser.api(
        "POST", f"/inbox/{lead['id']}/status", reseller, {"to": "won", "amount": "8400.00"}
    )
    assert won["status"] == "won", won

    login = browser.post_form("/login/", {"email": people["manager"], "password": PASSWORD})
    assert login.status == 302, ("login", login.status)

    def pending_lines() -> list[str] | None:
        page = browser.request("GET", "/commissions/lines/?status=pending").data.decode()
        return re.findall(r'name="line" value="(\d+)"', page) or None

    # The commission is earned by the worker too, when it delivers the "won" event.
    ids = wait_for("the won lead's commission line", timeout=30, every=0.25, probe=pending_lines)
    assert len(ids) == 1, f"one commission line expected, found {ids}"
    step(f"won: commission line {ids[0]} earned by the introducer")
    for action in ("approve", "release"):
        moved = browser.post_form(
            "/commissions/lines/bulk/",
            {"line": ids[0], "action": action},
            page="/commissions/lines/",
        )
        assert moved.status == 302, (action, moved.status)
    today = date.today().isoformat()
    made = browser.post_form(
        "/commissions/runs/",
        {"cutoff": today, "execution_date": today, "schema": "pain.001.001.09"},
    )
    assert made.status == 302, ("payment run", made.status, made.data[:2000])
    sepa = browser.request("GET", made.headers["Location"] + "?format=xml")
    assert sepa.status == 200, ("SEPA file", sepa.status)
    check_pain001(sepa.data, people["iban"], Decimal("150.00"))
    step("payment run made; its SEPA file is a valid pain.001.001.09 paying 150.00 EUR")


def check_pain001(xml: bytes, iban: str, amount: Decimal) -> None:
    import sepaxml
    from lxml import etree

    schema = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"
    document = etree.fromstring(xml)
    xsd = etree.XMLSchema(etree.parse(str(schema)))
    assert xsd.validate(document), str(xsd.error_log)
    ns = {"p": document.nsmap[None]}
    assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == str(amount)
    assert document.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=ns) == iban


def import_outlives_its_worker(
    browser: Browser, env: dict[str, str], first: Any, start_worker: Callable[[], Any]
) -> None:
    """An import through the manager's pages; the worker running it is killed past its first
    thousand, and the next worker started ends it, each row created once."""
    lines = ["Nom;Courriel;Code postal"]
    lines += [f"Client {n};import{n}@orange.fr;69003" for n in range(IMPORT_ROWS)]
    token = browser.csrf("/leads/import/")
    uploaded = browser.request(
        "POST",
        "/leads/import/",
        fields={"csrfmiddlewaretoken": token, "file": ("big.csv", "\n".join(lines).encode())},
    )
    assert uploaded.status == 302, ("upload", uploaded.status)
    page = uploaded.headers["Location"]
    launched = browser.post_form(
        page,
        {
            "action": "import",
            "mode": "valid_only",
            "map_last_name": "Nom",
            "map_email": "Courriel",
            "map_postcode": "Code postal",
        },
    )
    assert launched.status == 302, ("import", launched.status)
    batch = int(re.findall(r"\d+", page)[-1])

    def progress() -> tuple[Any, ...]:
        sql = "SELECT state, created FROM leads_leadimport WHERE id = %s"
        return query(env["DATABASE_URL"], sql, batch)[0]

    wait_for(
        "the import's first thousand",
        timeout=180,
        probe=lambda: True if 1000 <= progress()[1] < IMPORT_ROWS else None,
    )
    kill(first)
    state, created = progress()
    assert state == "running", state
    assert created < IMPORT_ROWS, created
    time.sleep(2)
    assert progress() == (state, created), "the killed worker's job is still writing"
    step(f"import running, {created} of {IMPORT_ROWS} rows created: its worker killed (SIGKILL)")
    start_worker()
    wait_for(
        "the import to end",
        timeout=240,
        every=1,
        probe=lambda: True if progress()[0] in ("done", "failed") else None,
    )
    leads = query(
        env["DATABASE_URL"],
        "SELECT COUNT(*), COUNT(DISTINCT email) FROM leads_lead WHERE channel = 'import'",
    )
    assert progress() == ("done", IMPORT_ROWS), progress()
    assert leads == [(IMPORT_ROWS, IMPORT_ROWS)], leads
    step(f"a new worker finished the import: {IMPORT_ROWS} rows, each created once")


def main() -> int:
    if not (postgres_reachable() and redis_reachable()):
        step("SKIPPED: PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is unreachable.")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timeout still cleans up
    started = time.monotonic()
    exported, commands = readme_block()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # db 5 is the check's own: no job of a past run
    processes: list[Any] = []
    with (
        tempfile.TemporaryDirectory(prefix="prod-check-") as tmp,
        throwaway_postgres(PG_SERVER, DATABASE) as database_url,
    ):
        data = Path(tmp)
        env = environment(exported, database_url, data)
        try:
            run(commands, env, data, processes)
        finally:
            for process in processes:
                kill(process)
            redis.Redis.from_url(REDIS_URL).flushdb()
    step(f"passed in {time.monotonic() - started:.0f} s")
    return 0


def run(commands: list[list[str]], env: dict[str, str], data: Path, processes: list[Any]) -> None:
    services = [c[:-1] for c in commands if c[-1] == "&"]
    for command in (c for c in commands if c[-1] != "&"):
        run_to_end(command, env)
        step(f"{shlex.join(command)}: done")
    people = json.loads(
        run_to_end(
            [sys.executable, "manage.py", "shell", "-c", SETUP.replace("PASSWORD", repr(PASSWORD))],
            env,
        ).splitlines()[-1]
    )
    people["manager"] = "manager@relais.example.fr"
    (web,) = [c for c in services if "gunicorn" in c[0]]
    (worker,) = [c for c in services if "rqworker" in c]
    servers = []
    for port in (free_port(), free_port()):  # two application servers behind the proxy
        args = env.get("GUNICORN_CMD_ARGS", "")
        args = re.sub(r"--workers[ =]\d+", "--workers 2", args)
        args = re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", args)
        processes.append(start({**env, "GUNICORN_CMD_ARGS": args}, *web, log=data / "web.log"))
        servers.append(f"http://127.0.0.1:{port}")
    first_worker = start(env, *worker, log=data / "worker.log")
    processes.append(first_worker)
    host = env["ALLOWED_HOSTS"].split(",")[0]
    browser = Browser(servers, host)
    for _server in servers:
        wait_for("the web servers", lambda: healthy(browser), timeout=120, every=0.5)
    step(f"two gunicorn servers and the RQ worker up; /healthz ok: {healthy(browser)}")
    lead_to_sepa(browser, env, people)

    def start_worker() -> None:
        processes.append(start(env, *worker, log=data / "worker.log"))

    import_outlives_its_worker(browser, env, first_worker, start_worker)


def healthy(browser: Browser) -> str | None:
    try:
        response = browser.request("GET", "/healthz")
    except urllib3.exceptions.HTTPError:
        return None
    if response.status != 200:
        return None
    body = response.json()
    assert "RQBackend" in body["checks"]["tasks"], body
    return str(body["checks"])


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
