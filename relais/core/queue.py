"""Enqueue a task that must run only if the current transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import Task
from django_tasks_db.backend import DatabaseBackend


def enqueue_with_commit(task: Task[Any, Any], *args: Any) -> None:
    """The database backend writes the task as a row in the caller's own transaction: it exists
    only if the work commits, and costs no commit of its own (one round trip less on the intake
    path). Other backends (RQ, immediate) are called once the transaction has committed."""
    if (
        isinstance(task.get_backend(), DatabaseBackend)
        and transaction.get_connection().in_atomic_block
    ):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
