"""Slow actions run by the task worker, their progress shown while the user waits: a PDF of
seconds, a run of invoices. A page asks for one (``job_start``), the worker runs the handler
registered for its kind, and the job's page (``core.job_views``, polled by htmx) shows how far
it is, then the file or the result, or the failure with a retry — as the lead import does.

An app registers its handlers in ``AppConfig.ready()``: ``jobs.register("routing.review_pdf",
handler)``; a handler takes the job and a ``Progress``, may report its steps, and returns an
``Output`` (a file to download, a sentence). A handler may run twice (a worker killed, then the
job queued again by ``requeue_stalled``): it is safe to, as a task is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.core import resumable
from relais.core.choices import JobState
from relais.core.errors import DomainError
from relais.core.models import BackgroundJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Output:
    """What a job leaves: a file to download (``content`` and ``filename``), a sentence."""

    content: bytes = b""
    filename: str = ""
    message: str = ""


class Progress:
    """Handed to a handler: ``total(n)`` once the steps are known, ``step()`` after each one.
    A step reported inside a transaction shows when it commits."""

    def __init__(self, hold: resumable.Claim) -> None:
        self._hold = hold

    def total(self, steps: int) -> None:
        resumable.keep(BackgroundJob, self._hold, total=steps)

    def step(self, steps: int = 1) -> None:
        resumable.checkpoint(BackgroundJob, self._hold, done=steps)


Handler = Callable[[BackgroundJob, Progress], Output | None]
_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def job_start(
    *, kind: str, label: str, params: dict[str, Any], actor: Any, back_url: str = ""
) -> BackgroundJob:
    """Queue a job for the worker, after the caller's transaction commits. The same job asked
    again while it waits or runs (a double click, two tabs) is that one, not a second."""
    if kind not in _handlers:
        raise ValueError(f"no handler for {kind}")
    with transaction.atomic():
        running = BackgroundJob.objects.filter(
            kind=kind, params=params, state__in=(JobState.QUEUED, JobState.RUNNING)
        ).first()
        if running is not None and not running.stalled:
            return running
        job = BackgroundJob.objects.create(
            kind=kind,
            label=label[:200],
            params=params,
            back_url=back_url,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            created_by=actor if getattr(actor, "pk", None) else None,
            heartbeat_at=timezone.now(),
        )
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_retry(*, job: BackgroundJob) -> None:
    """Queue a failed or stalled job again."""
    if not resumable.retry(BackgroundJob, job.pk, run_job.enqueue):
        raise DomainError(_("This task is done or still running."), code="not_retryable")


def jobs_for_user(*, user: Any) -> QuerySet[BackgroundJob]:
    """Managers see every job (what they ask for is the network's); anyone else their own."""
    if getattr(user, "can_manage", False):
        return BackgroundJob.objects.all()
    return BackgroundJob.objects.filter(created_by=user.pk)


def job_get_for_user(*, user: Any, pk: int) -> BackgroundJob:
    return jobs_for_user(user=user).get(pk=pk)


def job_latest(*, kind: str, params: dict[str, Any]) -> BackgroundJob | None:
    """The last job of this kind for these parameters (a page showing its progress)."""
    return BackgroundJob.objects.filter(kind=kind, params=params).order_by("-pk").first()


@task()
def run_job(job_id: int) -> str:
    return job_run(job_id)


def job_run(job_id: int) -> str:
    """The worker's part: claim the job, run its handler in the requester's language, store
    what it made. A failure is kept on the job, for its page to show and retry."""
    hold = resumable.claim(BackgroundJob, job_id)
    if hold is None:
        return "not claimed"  # done, or alive in another worker
    job = BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    handler = _handlers.get(job.kind)
    try:
        if handler is None:
            raise DomainError(_("This kind of task is unknown here."), code="unknown_job")
        with translation.override(job.language or settings.LANGUAGE_CODE):
            output = handler(job, Progress(hold)) or Output()
    except resumable.Superseded:
        return "superseded"
    except Exception as exc:
        if not isinstance(exc, DomainError):
            log.exception("Job %s (%s) failed", job.pk, job.kind)
        failure = exc.message if isinstance(exc, DomainError) else str(exc) or type(exc).__name__
        resumable.finish(
            BackgroundJob,
            hold,
            state=JobState.FAILED,
            failure=failure[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    stored = ""
    if output.content:
        name = f"jobs/{timezone.now():%Y}/{job.pk}-{output.filename or 'file'}"
        stored = default_storage.save(name, ContentFile(output.content))
    resumable.finish(
        BackgroundJob,
        hold,
        state=JobState.DONE,
        file=stored,
        filename=output.filename,
        message=output.message[:300],
        finished_at=timezone.now(),
    )
    return "done"


def requeue_stalled(now: datetime) -> str:
    """The recurring job: a job whose worker went silent is queued again."""
    return resumable.requeue_stalled(BackgroundJob, run_job.enqueue)
