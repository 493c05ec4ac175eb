"""Long jobs that outlive their worker: a job killed mid-way (SIGKILL, a lost machine) is taken
up again by the next worker after the last unit it committed, and no unit is done twice.

Neither task backend notices a dead worker: django-tasks-db leaves its task "running" forever,
RQ moves it to its failed registry. So the job's own row holds what is needed:

- ``resume_after``, the last unit committed (a file's row number), written by ``checkpoint`` in
  the same transaction as that unit's writes: a unit and its mark commit together or not at all;
- ``heartbeat_at``, refreshed by each checkpoint: a running job silent for longer than
  ``RELAIS_STALLED_AFTER_SECONDS`` is taken for dead;
- ``attempt``, raised by each ``claim``: a run that was taken over (it was only slow) finds its
  next checkpoint refused (``Superseded``) and rolls back, so two runs never both write a unit.

The model subclasses ``Resumable`` and has a ``state`` field using the values "queued",
"running" (and others of its own for finished jobs) and a ``failure`` text field. Its task calls
``claim`` first and returns when it gets None. A recurring job (``requeue_stalled``, armed by
``start_schedules``) enqueues the task again for each stalled job; a retry button calls
``retry``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
MAX_ATTEMPTS = 5  # a job that kills its worker each time (memory) stops being re-queued


class Resumable(models.Model):
    heartbeat_at = models.DateTimeField(gettext_lazy("last sign of life"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    resume_after = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def stalled(self) -> bool:
        """Queued or running, and no sign of life for too long: its worker is gone."""
        state = getattr(self, "state", "")
        beat = self.heartbeat_at
        return state in (QUEUED, RUNNING) and (beat is None or beat < stale_before())


class Superseded(Exception):
    """Another run took this job over: this one stops, its open transaction rolled back."""


@dataclass(frozen=True)
class Claim:
    """One run's hold on a job: its attempt number, and where the committed units end."""

    pk: int
    attempt: int
    resume_after: int


def _table(model: type[Resumable]) -> Any:
    """The job's manager, untyped: ``state`` and ``failure`` are the concrete model's fields."""
    return model._default_manager


def stale_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.RELAIS_STALLED_AFTER_SECONDS)


def claim(model: type[Resumable], pk: int) -> Claim | None:
    """Take a queued job, or a running one whose worker went silent. None when the job is
    finished, or alive in another worker (a task enqueued twice runs once)."""
    now = timezone.now()
    with transaction.atomic():  # the row lock orders two claims, and a claim after a checkpoint
        job = _table(model).select_for_update().filter(pk=pk).first()
        state = getattr(job, "state", None)
        if job is None or state not in (QUEUED, RUNNING):
            return None
        if state == RUNNING and job.heartbeat_at and job.heartbeat_at >= stale_before(now):
            return None
        attempt = job.attempt + 1
        _table(model).filter(pk=pk).update(state=RUNNING, attempt=attempt, heartbeat_at=now)
    return Claim(pk=pk, attempt=attempt, resume_after=job.resume_after)


def checkpoint(
    model: type[Resumable], hold: Claim, *, through: int | None = None, **counts: int
) -> None:
    """Inside a unit's transaction, last: add ``counts`` to the job's counters, record
    ``through`` as the last unit committed, show a sign of life. Raises ``Superseded`` (so the
    unit rolls back) when another run has taken the job over."""
    values: dict[str, Any] = {name: F(name) + n for name, n in counts.items()}
    if through is not None:
        values["resume_after"] = through
    mine = _table(model).filter(pk=hold.pk, attempt=hold.attempt, state=RUNNING)
    if not mine.update(heartbeat_at=timezone.now(), **values):
        raise Superseded


def keep(model: type[Resumable], hold: Claim, **values: Any) -> None:
    """Inside a unit's transaction, before its checkpoint: store ``values`` on the job's row (a
    report the job keeps there, not in rows of its own). Raises ``Superseded`` like
    ``checkpoint``, so a run taken over never overwrites its successor's report."""
    mine = _table(model).filter(pk=hold.pk, attempt=hold.attempt, state=RUNNING)
    if not mine.update(**values):
        raise Superseded


def finish(model: type[Resumable], hold: Claim, **values: Any) -> bool:
    """The run's last word (its state, its failure), unless another run has taken over."""
    return bool(_table(model).filter(pk=hold.pk, attempt=hold.attempt).update(**values))


def start(model: type[Resumable], pk: int, enqueue: Callable[[int], Any], **values: Any) -> bool:
    """Queue a job from its first unit with ``values`` (its choices, its counts reset), a
    fresh sign of life (not taken for stalled before its task runs) and no failure. False,
    and nothing changed, when it is queued or running already (two clicks at once start it
    once: the row is locked)."""
    with transaction.atomic():
        job = _table(model).select_for_update().filter(pk=pk).first()
        if job is None or getattr(job, "state", None) in (QUEUED, RUNNING):
            return False
        _table(model).filter(pk=pk).update(
            state=QUEUED, failure="", resume_after=0, heartbeat_at=timezone.now(), **values
        )
        transaction.on_commit(lambda: enqueue(pk))
    return True


def retry(model: type[Resumable], pk: int, enqueue: Callable[[int], Any]) -> bool:
    """Queue a failed or stalled job again: it goes on after its committed units. False when
    the job is neither (finished, or alive). A job given up after ``MAX_ATTEMPTS`` stalls is
    given up at its next stall."""
    with transaction.atomic():
        job = _table(model).select_for_update().filter(pk=pk).first()
        if job is None or not (getattr(job, "state", None) == FAILED or job.stalled):
            return False
        # ``attempt`` only grows: a run of an earlier attempt can never checkpoint again.
        _table(model).filter(pk=pk).update(state=QUEUED, failure="", heartbeat_at=timezone.now())
        transaction.on_commit(lambda: enqueue(pk))
    return True


def requeue_stalled(model: type[Resumable], enqueue: Callable[[int], Any]) -> str:
    """The recurring job: enqueue each stalled job again; one that stalled ``MAX_ATTEMPTS``
    times is marked failed instead (its page offers a retry). Returns a one-line summary."""
    now = timezone.now()
    silent = Q(heartbeat_at__lt=stale_before(now)) | Q(heartbeat_at=None)
    stalled = _table(model).filter(silent, state__in=(QUEUED, RUNNING))
    given_up = stalled.filter(attempt__gte=MAX_ATTEMPTS).update(
        state=FAILED, failure=_("The worker stopped %(n)s times on this job.") % {"n": MAX_ATTEMPTS}
    )
    again = list(stalled.values_list("pk", flat=True))
    # Queued again, with a fresh sign of life: the next sweep leaves it to the task enqueued
    # here, and a run that was only slow finds its next checkpoint refused.
    _table(model).filter(pk__in=again).update(state=QUEUED, heartbeat_at=now)
    for pk in again:
        enqueue(pk)
    return f"{len(again)} re-queued, {given_up} given up"
