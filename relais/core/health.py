"""Health checks used by ``/healthz``: the database answers, the task queue is reachable, and how
long the oldest domain event has waited for its handlers."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.tasks import task_backends


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_task_queue() -> str:
    backend = task_backends["default"]
    backend_path = str(settings.TASKS["default"]["BACKEND"])
    if backend_path.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        # The queue is a table: reaching it is what the worker needs.
        DBTaskResult.objects.ready().exists()
    elif backend_path.startswith("django_tasks_rq"):
        import django_rq

        django_rq.get_connection("default").ping()
    return f"ok ({type(backend).__name__})"


def oldest_undelivered_event_seconds() -> int | None:
    """Seconds the oldest undelivered domain event has waited (None: none waits). Reported, not
    judged: a handler failing for hours is the worker's trouble, not a reason to take this web
    process out of the load balancer; alert on the figure instead."""
    from relais.core.outbox import oldest_undelivered_age

    age = oldest_undelivered_age()
    return None if age is None else int(age.total_seconds())
