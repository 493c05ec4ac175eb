from __future__ import annotations

import logging
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from relais.core import health

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def ping(request: HttpRequest) -> JsonResponse:
    """The trivial JSON view: the benchmark's floor for what the framework itself costs."""
    return JsonResponse({"pong": True})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the task queue answer, 503 (with the failing check) otherwise;
    with the age of the oldest domain event still waiting for a handler."""
    checks: dict[str, str] = {}
    healthy = True
    for name, check in (("database", health.check_database), ("tasks", health.check_task_queue)):
        try:
            checks[name] = check()
        except Exception as exc:  # a health check reports any failure, whatever its type
            logger.warning("health check %s failed: %s", name, exc)
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
    status = "ok" if healthy else "unavailable"
    body: dict[str, object] = {"status": status, "checks": checks}
    if healthy:
        body["oldest_undelivered_event_seconds"] = health.oldest_undelivered_event_seconds()
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own (the admin, the API docs and JSON pages
    link no icon): the SVG the pages link, served here rather than a 404 in every log."""
    path = finders.find("relais/favicon.svg")
    assert isinstance(path, str)
    response = HttpResponse(Path(path).read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
