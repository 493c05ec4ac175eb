"""Under the strict Content-Security-Policy, every page a role reaches from its menus works:
the browser refuses nothing (no inline script, style or handler, nothing from elsewhere).

``RELAIS_SCREENSHOTS=/tmp/csp-shots`` keeps a screenshot of the pages walked, at 1366 and 375
pixels wide, to check by eye that nothing lost its looks."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from relais.commissions.models import CommissionLine, Gift, Plan
from relais.demo.network import DEMO_DOMAIN, DEMO_PASSWORD
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}
SHOTS = os.environ.get("RELAIS_SCREENSHOTS")
# The browser's own words for a blocked resource, inline script, style or handler.
REFUSED = re.compile(r"Content Security Policy|Refused to", re.I)


class Watch:
    """Every CSP violation the browser reports on a page, from the DOM event and the console."""

    def __init__(self, context):
        self.refusals: list[str] = []
        context.expose_binding("relaisCspViolation", lambda source, text: self.note(source, text))
        # Runs before the page's own scripts, outside its policy (DevTools injects it).
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => window.relaisCspViolation("
            "`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`"
            "), true);"
        )

    def note(self, source, text):
        self.refusals.append(f"{source['page'].url}: {text}")

    def follow(self, page):
        def on_console(message):
            if REFUSED.search(message.text):
                self.refusals.append(f"{page.url}: console: {message.text}")

        page.on("console", on_console)
        return page


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--size", "small", "--leads", "300", verbosity=0)
    Gift.objects.create(name="Carte cadeau", value_incl_vat=Decimal("50.00"))
    Plan.objects.create(name="Programme 2027")  # a draft: its page offers to activate it


@pytest.fixture
def browse(browser, live_server):
    """``browse(viewport)`` → (page, watch) in a fresh browser context."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        contexts.append(context)
        watch = Watch(context)
        return watch.follow(context.new_page()), watch

    yield make
    for context in contexts:
        context.close()


def settle(page):
    page.wait_for_load_state("networkidle", timeout=90_000)  # a loaded CI host is slow
    page.evaluate("0")  # a round trip: the violations reported so far have reached the test


def visit(page, href):
    response = page.goto(href)
    assert response is not None, href
    assert response.ok, f"{href}: {response.status}"
    assert "default-src 'self'" in response.headers["content-security-policy"], href
    settle(page)
    if SHOTS:
        shoot(page)


def shoot(page):
    folder = Path(str(SHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", page.url.split("//", 1)[1].split("/", 1)[1]).strip("-")
    viewport = page.viewport_size
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=folder / f"{name or 'home'}-{width}.png", full_page=True)
    page.set_viewport_size(viewport)


def links(page, selector):
    """Same-site pages (no query, no fragment) linked from ``selector``, in page order."""
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in dict.fromkeys(hrefs) if h and h.startswith("/") and not re.search("[?#]", h)]


def is_page(page, href):
    """A link to a download (PDF, CSV, XML) is not a page to walk."""
    kind = page.request.get(href).headers.get("content-type", "")
    return kind.startswith("text/html")


def walk_the_menus(page, skip=("/admin/",)):
    """Every page the menus lead to, sub-menus included, and the first row of each page's
    table one level down (a detail page). Returns the paths visited."""
    queue, seen = links(page, "nav a"), set()
    while queue:
        href = queue.pop(0)
        if href in seen or href.startswith(skip):
            continue
        seen.add(href)
        visit(page, href)
        queue += links(page, "nav a")
        for detail in links(page, "main table tbody a")[:1]:
            if detail not in seen and is_page(page, detail):
                seen.add(detail)
                visit(page, detail)
                page.go_back()
    return seen


def staff_login(page, email):
    visit(page, "/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/dashboard/")
    settle(page)


def partner_login(page, email):
    visit(page, "/login/link/")
    page.fill("input[name=email]", email)
    with page.expect_navigation():
        page.click("button.primary")
    link = re.search(r"https?://\S+(/login/link/\S+/)", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    visit(page, link.group(1))
    page.click("button.primary")
    page.wait_for_url("**/portal/")
    settle(page)


def test_a_manager_walks_every_menu_without_a_refusal(demo, browse):
    page, watch = browse(DESKTOP)
    staff_login(page, f"manager@{DEMO_DOMAIN}")
    seen = walk_the_menus(page)
    assert {"/dashboard/", "/commissions/lines/", "/routing/kpis/", "/partners/"} <= seen
    assert watch.refusals == []


def test_the_behaviour_moved_out_of_the_templates_still_works(demo, browse):
    page, watch = browse(PHONE)
    staff_login(page, f"manager@{DEMO_DOMAIN}")

    # The demo may hold a single line to approve: a second one, so "all" has lines to tick.
    second = CommissionLine.objects.filter(status="pending").first()
    second.pk, second.event_key = None, f"{second.event_key}:second"
    second.save()
    visit(page, "/commissions/lines/?status=pending")
    boxes = page.locator("input[name=line]")
    assert boxes.count() > 1
    page.check("#lines thead input[type=checkbox]")  # "all": ticks every line
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.uncheck("#lines thead input[type=checkbox]")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))

    visit(page, "/routing/kpis/")
    period = page.locator("select[name=period]")
    other = period.locator("option:not([selected])").first.get_attribute("value")
    period.select_option(other)  # choosing a period shows it, no button to press
    page.wait_for_url(f"**period={other}*")
    assert page.locator("select[name=period]").input_value() == other

    plan = Plan.objects.get(name="Programme 2027")
    visit(page, f"/commissions/plans/{plan.pk}/")
    activate = page.locator("form", has=page.locator("button.primary"))
    assert activate.evaluate("f => getComputedStyle(f).display") == "inline"
    assert watch.refusals == []


def test_an_admin_walks_the_menus_and_the_admin_without_a_refusal(demo, browse):
    page, watch = browse(DESKTOP)
    staff_login(page, f"admin@{DEMO_DOMAIN}")
    walk_the_menus(page)
    visit(page, "/admin/")
    changelists = [h for h in links(page, "#content-main a") if not h.endswith("/add/")]
    assert len(changelists) > 5
    for href in changelists:
        visit(page, href)
        for change in links(page, "#result_list tbody a")[:1]:
            visit(page, change)
            page.go_back()
    visit(page, "/admin/commissions/plan/add/")
    page.click("#rules-group .add-row a")  # the admin's own scripts run: an inline row appears
    visit(page, "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")  # the bundled Swagger UI has rendered
    settle(page)
    assert watch.refusals == []


@pytest.mark.parametrize("who", ["apporteur", "revendeur"])
def test_a_partner_walks_the_portal_on_a_phone_without_a_refusal(demo, browse, who):
    page, watch = browse(PHONE)
    partner_login(page, f"{who}@{DEMO_DOMAIN}")
    seen = walk_the_menus(page)
    assert {"/portal/", "/portal/earnings/", "/portal/leads/"} <= seen
    visit(page, "/portal/earnings/")
    choose = page.locator("form[action*='/gifts/']").first
    assert choose.evaluate("f => getComputedStyle(f).display") == "inline"
    assert watch.refusals == []


def test_the_public_pages_show_without_a_refusal(demo, browse):
    page, watch = browse(PHONE)
    partner = Partner.objects.filter(status=PartnerStatus.ACTIVE).first()
    assert partner is not None
    visit(page, f"/r/{partner.referral_code}/")
    page.fill("input[name=first_name]", "Aline")
    with page.expect_navigation():
        page.click("button.primary")  # refused for the missing fields: the errors show
    assert page.locator(".field-error, .errors").count() > 0
    settle(page)
    for href in ("/login/", "/login/link/", "/admin/login/"):
        visit(page, href)
    assert watch.refusals == []
