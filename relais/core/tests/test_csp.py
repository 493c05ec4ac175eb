"""Every response carries a strict Content-Security-Policy; no template needs it relaxed."""

import re
from pathlib import Path

import pytest

from relais.testing.factories import PartnerFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def policy(response):
    """The enforced policy as {directive: {sources}}, nonces left out."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {
        name: {s for s in sources if not s.startswith("'nonce-")} for name, *sources in directives
    }


def nonces(response):
    header = response.headers["Content-Security-Policy"]
    return set(re.findall(r"'nonce-([^']+)'", header))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/login/link/", "/admin/login/"])
def test_public_pages_carry_the_strict_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert policy(response) == STRICT


@pytest.mark.django_db
def test_the_public_referral_page_carries_the_strict_policy(client):
    partner = PartnerFactory()
    response = client.get(f"/r/{partner.referral_code}/")
    assert response.status_code == 200
    assert policy(response) == STRICT


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/dashboard/", "/commissions/lines/", "/routing/kpis/"])
def test_staff_pages_carry_the_strict_policy(client, manager, url):
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert policy(response) == STRICT


@pytest.mark.django_db
def test_the_admin_inline_style_runs_under_the_nonce_of_its_response(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200
    assert policy(response) == STRICT
    used = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
    assert used
    assert used == nonces(response)
    assert nonces(client.get("/admin/accounts/user/")) != used  # one nonce per response


@pytest.mark.django_db
def test_the_api_docs_come_from_our_own_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "https://" not in html  # no CDN: the machines serving Relais may have no outside network
    assert policy(response) == STRICT


INLINE = re.compile(r"""\sstyle=|<style|\son[a-z]+=|javascript:|<script(?![^>]*\ssrc=)""", re.I)


def test_no_template_carries_inline_script_or_style():
    """A strict policy blocks them: behaviour goes to relais.js, looks to relais.css. PDFs and
    XML are rendered by WeasyPrint and lxml, never by a browser, and keep their styles."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if {"pdf", "xml"} & set(path.relative_to(TEMPLATES).parts):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert found == []
