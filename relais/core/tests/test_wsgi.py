"""A gunicorn worker prepares what requests need as it starts, not in its first request."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import json, sys
import relais.wsgi
from django.core.handlers.wsgi import WSGIRequest
before = set(sys.modules)
# The first request a worker serves: an API call (refused: no token, before any query).
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/me", "SERVER_NAME": "localhost",
           "SERVER_PORT": "80", "wsgi.input": __import__("io").BytesIO(), "wsgi.url_scheme": "http"}
status = []
relais.wsgi.application(environ, lambda s, h: status.append(s))
print(json.dumps({"status": status[0], "imported": sorted(set(sys.modules) - before),
                  "redis": "redis" in before}))
"""


# A worker's first pages, in both languages: the login page (base layout, menu, URLs reversed),
# counting the templates compiled and the URL tables built while they are served.
PAGES = """
import json
import relais.wsgi
from django.template.base import Parser
from django.urls.resolvers import URLResolver
work = {"templates": 0, "url tables": 0}
parse, populate = Parser.parse, URLResolver._populate
def counted(name, real):
    def run(*args, **kwargs):
        work[name] += 1
        return real(*args, **kwargs)
    return run
Parser.parse = counted("templates", parse)
URLResolver._populate = counted("url tables", populate)
status = []
for language in ("fr", "en"):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/login/", "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "wsgi.input": __import__("io").BytesIO(),
               "wsgi.url_scheme": "http", "HTTP_ACCEPT_LANGUAGE": language}
    body = b"".join(relais.wsgi.application(environ, lambda s, h: status.append(s)))
    work[language] = body.decode()
print(json.dumps({"status": status, **work}))
"""


def _worker(script: str, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "relais.settings",
        "REDIS_URL": "redis://127.0.0.1:6379/15",  # imported, never connected to
        "RELAIS_DATA_DIR": str(tmp_path),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_first_request_of_a_worker_imports_no_application_module(tmp_path):
    found = _worker(SCRIPT, tmp_path)
    assert found["status"].startswith("401")
    assert found["redis"]
    ours = [m for m in found["imported"] if m.startswith(("relais", "ninja", "phonenumbers"))]
    assert ours == []


def test_a_worker_serves_its_first_pages_from_compiled_templates_and_url_tables(tmp_path):
    found = _worker(PAGES, tmp_path)
    assert [s[:3] for s in found["status"]] == ["200", "200"]
    assert "Recevoir un lien de connexion" in found["fr"]
    assert "Get a login link" in found["en"]
    assert found["templates"] == 0
    assert found["url tables"] == 0
