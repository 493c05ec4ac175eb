"""One rule for a link that leaves the site: the host of the request when there is one, SITE_URL
otherwise (a task, a command), and SITE_URL checked where a deployment is checked."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import checks, mail
from django.test import RequestFactory

import relais
from relais.core.checks import site_url_check
from relais.core.http import absolute_url

ROOT = Path(relais.__file__).parent


def test_in_a_request_a_link_takes_the_host_the_user_reached():
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8123")
    assert absolute_url("/portal/", request) == "http://127.0.0.1:8123/portal/"


def test_outside_a_request_a_link_takes_site_url(settings):
    settings.SITE_URL = "https://relais.example.fr"
    assert absolute_url("/portal/") == "https://relais.example.fr/portal/"


@pytest.mark.django_db
def test_the_gdpr_notice_links_to_site_url(settings):
    from relais.leads.services import lead_submit
    from relais.leads.tasks import notify_prospect

    settings.SITE_URL = "http://127.0.0.1:8123"
    lead = lead_submit(
        data={"last_name": "Martin", "email": "m@example.fr", "postcode": "69003"},
        channel="staff",
    )
    mail.outbox.clear()
    assert notify_prospect(lead.pk)
    assert re.search(r"http://127\.0\.0\.1:8123/p/\S+/", mail.outbox[0].body)


def test_no_module_builds_an_absolute_link_but_the_helper():
    """``SITE_URL + path`` here and ``build_absolute_uri`` there gave e-mails two hosts."""
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts and path.name not in {"http.py", "checks.py", "settings.py"}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "SITE_URL" in line or "build_absolute_uri" in line
    ]
    assert found == []


def test_a_deployment_with_site_url_left_at_its_default_is_flagged(settings):
    settings.ALLOWED_HOSTS = ["relais.example.fr"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SITE_URL = "http://localhost:8000"
    assert [m.id for m in site_url_check()] == ["relais.W001", "relais.W002"]
    settings.SITE_URL = "https://relais.example.fr"
    assert site_url_check() == []


def test_the_check_runs_with_check_deploy(settings):
    settings.ALLOWED_HOSTS = ["relais.example.fr"]
    settings.SITE_URL = "http://localhost:8000"
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "relais.W001" in {m.id for m in found}
    assert "relais.W001" not in {m.id for m in checks.run_checks(tags=[checks.Tags.security])}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_gives_the_server_and_the_worker_its_own_address():
    makefile = ROOT.parent
    shown = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=makefile, capture_output=True, text=True, check=True
    ).stdout
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8123}"' in shown
