"""Recurring jobs run by the task worker: Django's task framework has no periodic tasks, so each
run enqueues the next one with ``run_after``.

An app registers a job in ``AppConfig.ready()``: ``scheduling.register("routing.sla", every=...,
job=callable)``. ``start_schedules`` (run by ``make run`` and after each deployment) arms every
job; it is safe to run again. A run whose due time is not the one stored is a stale duplicate and
does nothing, so a chain never forks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from relais.core.models import Schedule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], str]  # returns a one-line summary, kept on the schedule row


_jobs: dict[str, Job] = {}


def register(name: str, *, every: timedelta, job: Callable[[datetime], str]) -> None:
    _jobs[name] = Job(name, every, job)


def jobs() -> list[Job]:
    return [_jobs[n] for n in sorted(_jobs)]


def start_schedules(now: datetime | None = None) -> list[Schedule]:
    """Arm each job: a missing or overdue schedule is (re)enqueued to run now."""
    now = now or timezone.now()
    armed = []
    for job in jobs():
        with transaction.atomic():
            schedule, created = Schedule.objects.select_for_update().get_or_create(
                name=job.name, defaults={"next_run_at": now}
            )
            if created or schedule.next_run_at <= now:
                schedule.next_run_at = now
                schedule.save(update_fields=["next_run_at"])
                due = schedule.next_run_at.isoformat()
                transaction.on_commit(lambda n=job.name, d=due: _enqueue(n, d, None))  # type: ignore[misc]
            armed.append(schedule)
    return armed


def _enqueue(name: str, due: str, run_after: datetime | None) -> None:
    if run_after is None:
        run_scheduled.enqueue(name, due)
    elif default_task_backend.supports_defer:
        run_scheduled.using(run_after=run_after).enqueue(name, due)
    else:  # the immediate backend (tests) cannot wait: the chain stops after one run
        log.info("Task backend cannot defer; %s will not run again by itself.", name)


@task()
def run_scheduled(name: str, due: str) -> str:
    """Run one job once for its due time, then enqueue its next run."""
    job = _jobs.get(name)
    if job is None:
        return "unknown job"
    now = timezone.now()
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().filter(name=name).first()
        if schedule is None or schedule.next_run_at.isoformat() != due:
            return "stale"  # another run already took this due time
        schedule.next_run_at = max(now, schedule.next_run_at) + job.every
        schedule.last_run_at = now
        schedule.save(update_fields=["next_run_at", "last_run_at"])
        following = schedule.next_run_at
        transaction.on_commit(lambda: _enqueue(name, following.isoformat(), following))
    summary = job.run(now)[:300]
    Schedule.objects.filter(name=name).update(last_result=summary)
    return summary
