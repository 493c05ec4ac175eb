"""GDPR art. 14 notices to referred prospects: marked by the intake, sent by the task worker.

The intake writes one narrow row per lead to tell (``NoticeDue``) in its own transaction, and
the recurring job ``leads.notices`` (every ``RELAIS_NOTICE_SWEEP_MINUTES``) sends them and
deletes the marks it handled. Enqueuing a task from each intake instead cost ~1 ms of the
server's time per API call (django-tasks-db writes its row through the ORM): a sixth of a
one-lead intake. Each notice is still sent once: ``tasks.notify_prospect`` checks, under the
lead's lock, that none was sent, so a sweep that stops midway or runs twice sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from relais.bulk import is_batch
from relais.leads import bulk
from relais.leads.models import NoticeDue
from relais.leads.tasks import notify_prospect

log = logging.getLogger(__name__)

BATCH = 500  # marks read at a time: a sweep after a large import proceeds in steps


def mark(lead_ids: Iterable[int]) -> None:
    """These leads' prospects are owed their notice; call inside the intake's transaction.
    One multi-row INSERT (``leads.bulk``), for one lead too: the intake's measured path
    (``leads.bulk.INTAKE_ALWAYS``); else a few marks through the ORM."""
    due = list(lead_ids)
    if bulk.INTAKE_ALWAYS or is_batch(len(due)):
        bulk.notices_due(due)
    else:
        NoticeDue.objects.bulk_create([NoticeDue(lead_id=pk) for pk in due])


def send_due(now: datetime | None = None) -> str:
    """Send the notices marked so far and delete their marks; a notice that fails (the mail
    server refused it) keeps its mark for the next sweep, and the others still go out."""
    sent = failed = 0
    seen = 0  # marks are read in id order, past the failed ones, so a sweep always ends
    while True:
        marks = list(
            NoticeDue.objects.filter(pk__gt=seen)
            .order_by("pk")
            .values_list("pk", "lead_id")[:BATCH]
        )
        if not marks:
            break
        done = []
        for pk, lead_id in marks:
            try:
                sent += notify_prospect(lead_id)
            except Exception:  # one refused address must not hold back every other notice
                log.exception("The notice for lead %s could not be sent.", lead_id)
                failed += 1
            else:
                done.append(pk)
        NoticeDue.objects.filter(pk__any_of=done).delete()
        seen = marks[-1][0]
    return f"{sent} notices sent, {failed} failed"
