"""A gunicorn worker imports what requests need as it starts, not in its first request."""

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


def test_the_first_request_of_a_worker_imports_no_application_module(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "relais.settings",
        "REDIS_URL": "redis://127.0.0.1:6379/15",  # imported, never connected to
        "RELAIS_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["status"].startswith("401")
    assert found["redis"]
    ours = [m for m in found["imported"] if m.startswith(("relais", "ninja", "phonenumbers"))]
    assert ours == []
