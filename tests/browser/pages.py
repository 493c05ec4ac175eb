"""What the browser tests of the manager's pages share: a browser context signed in as a user
(axe-core injected, so the CSP is bypassed: tests/browser/test_csp.py covers the real policy),
and the walk of a page at the phone's and the desktop's widths (axe-core, no sideways
scrolling, a screenshot of each in /tmp/shots/ or RELAIS_SCREENSHOTS)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.test import Client

from tests.browser.test_accessibility import check

SHOTS = Path(os.environ.get("RELAIS_SCREENSHOTS") or "/tmp/shots")


@contextmanager
def signed_in(browser: Any, live_server: Any, user: Any, *, width: int = 1366) -> Iterator[Any]:
    """A browser context whose session is ``user``'s."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        base_url=live_server.url,
        locale="en-GB",
        bypass_csp=True,
    )
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    context.add_cookies([{**cookie, "url": live_server.url}])
    try:
        yield context
    finally:
        context.close()


def fits(page: Any, where: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{where} is {overflow}px too wide"


def both_widths(
    page: Any, where: str, *, widths: tuple[int, ...] = (1366, 375), prefix: str = ""
) -> list[str]:
    """axe-core's findings at each width (then back to the first), each width fitting the
    screen and saved as ``<prefix><where>-<width>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)  # relais.js marks the tables that now scroll (after 150 ms)
        page.wait_for_load_state("networkidle")
        name = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")
        page.screenshot(path=SHOTS / f"{prefix}{name}-{width}.png", full_page=True)
        found += check(page, f"{where} at {width}px")
        fits(page, f"{where} at {width}px")
    page.set_viewport_size({"width": widths[0], "height": 900})
    return found
