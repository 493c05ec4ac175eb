"""Background work of commissions: tasks take ids and are safe to run twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.tasks import task
from django.utils.translation import ngettext

from relais.commissions.choices import RunStatus
from relais.commissions.models import Invoice, PaymentItem, PaymentRun
from relais.core.jobs import Output, Progress
from relais.core.models import BackgroundJob
from relais.core.pdf import render_pdf

# Runs this recent are watched for missing statements; an older gap (PDF output broken for
# days) is for a person to look at, not for a task failing every few minutes.
WATCHED = timedelta(days=2)


def statement_pdf(item: PaymentItem) -> bytes:
    lines = item.run.lines.filter(partner=item.partner).select_related("lead").order_by("earned_on")
    context = {
        "item": item,
        "run": item.run,
        "partner": item.partner,
        "lines": lines,
        "company": settings.RELAIS_COMPANY_NAME,
    }
    return render_pdf("commissions/pdf/statement.html", context, language=settings.LANGUAGE_CODE)


@task()
def run_documents(run_id: int) -> int:
    """The statement of each partner of a run (items that have one are skipped)."""
    run = PaymentRun.objects.get(pk=run_id)
    made = 0
    for item in run.items.select_related("partner", "run").filter(statement=""):
        item.statement.save(
            f"statement-{run.pk}-{item.partner_id}.pdf", ContentFile(statement_pdf(item))
        )
        made += 1
    return made


def documents_due(now: datetime) -> str:
    """The recurring job: a recent run whose statements were not all made, long after it was
    created (its worker died on the way), is queued again; ``run_documents`` makes only the
    missing ones."""
    since = now - timedelta(seconds=settings.RELAIS_STALLED_AFTER_SECONDS)
    pending = (
        PaymentItem.objects.filter(
            statement="", run__created_at__lt=since, run__created_at__gte=now - WATCHED
        )
        .exclude(run__status=RunStatus.CANCELLED)
        .values_list("run_id", flat=True)
        .distinct()
    )
    ids = sorted(set(pending))
    for run_id in ids:
        run_documents.enqueue(run_id)
    return f"{len(ids)} runs to finish"


def run_send_job(job: BackgroundJob, progress: Progress) -> Output:
    """``runs.run_send_queue``'s job: mark the run sent and issue its invoices, in one
    transaction (the numbering's lock held throughout). Run again after it committed (a worker
    killed before it said so), it finds the run sent and does nothing more."""
    from relais.commissions.services.runs import run_send

    run = PaymentRun.objects.get(pk=job.params["run"])
    if run.status not in (RunStatus.SENT, RunStatus.PAID):  # a cancelled run is refused
        progress.total(1)
        run_send(run=run, actor=job.created_by)
        progress.step()
    issued = Invoice.objects.filter(item__run=run).count()
    message = ngettext(
        "Marked as sent; %(n)s self-billed invoice issued.",
        "Marked as sent; %(n)s self-billed invoices issued.",
        issued,
    ) % {"n": issued}
    return Output(message=message)
