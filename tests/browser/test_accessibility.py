"""The key pages of each role pass axe-core's WCAG 2.1 A and AA checks with no serious or
critical violation, on a wide screen and on a phone (menu closed and open).

axe-core is vendored (tests/browser/vendor/, see its README). The pages' Content-Security-Policy
forbids the inline script Playwright injects it as, so these contexts bypass the policy, which
tests/browser/test_csp.py checks on its own.

``RELAIS_SCREENSHOTS=/some/folder`` also keeps a screenshot of each page checked.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from relais.accounts.models import User
from relais.demo.network import DEMO_DOMAIN
from relais.leads.gdpr import prospect_token
from relais.leads.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
WIDTHS = (1366, 375)
SHOTS = os.environ.get("RELAIS_SCREENSHOTS")

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " — " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--size", "small", "--leads", "300", verbosity=0)


@pytest.fixture
def audit(browser, live_server):
    """``audit(who, user, paths)`` → the serious and critical violations found on each path at each
    width, as readable lines (an empty list when all pass)."""
    contexts = []

    def run(who, user, paths):
        context = browser.new_context(
            base_url=live_server.url,
            bypass_csp=True,
            locale="fr-FR",
            viewport={"width": WIDTHS[0], "height": 900},
        )
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        found = []
        for path in paths:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(path)
                assert response is not None, path
                assert response.ok, f"{path}: {response.status}"
                where = f"{who} {path} at {width}px"
                found += check(page, where)
                if width < 800 and page.locator(".menu-button").count():
                    page.click(".menu-button")
                    page.wait_for_selector("#site-menu:popover-open")
                    found += check(page, f"{where}, menu open", menu_open=True)
        return found

    yield run
    for context in contexts:
        context.close()


def check(page, where, menu_open=False):
    page.wait_for_load_state("networkidle")
    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", re.sub(r"/p/[^/]+/", "/p/token/", where.lower()))
        page.screenshot(path=folder / f"{name.strip('-')}.png", full_page=not menu_open)
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE, WCAG_21_AA)
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']}\n      " + "\n      ".join(v["nodes"])
        for v in violations
        if v["impact"] in BLOCKING
    ]


def assert_none(found):
    assert found == [], "axe-core (WCAG 2.1 AA), serious or critical:\n  " + "\n  ".join(found)


def demo_user(name):
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def test_the_managers_key_pages_pass_axe(demo, audit):
    lead = Lead.objects.exclude(partner=None).order_by("-submitted_at").first()
    assert lead is not None
    paths = ["/dashboard/", "/leads/", f"/leads/{lead.pk}/", "/partners/"]
    assert_none(audit("manager", demo_user("manager"), paths))


def test_the_resellers_key_pages_pass_axe(demo, audit):
    assert_none(audit("reseller", demo_user("revendeur"), ["/portal/", "/portal/inbox/"]))


def test_the_introducers_key_pages_pass_axe(demo, audit):
    paths = ["/portal/", "/portal/leads/new/", "/portal/earnings/"]
    assert_none(audit("introducer", demo_user("apporteur"), paths))


def test_the_public_pages_pass_axe(demo, audit):
    lead = Lead.objects.exclude(email="").filter(anonymised_at=None).first()
    assert lead is not None
    assert_none(audit("anonymous", None, ["/login/", f"/p/{prospect_token(lead)}/"]))
