"""Slow actions run in the task worker, their progress shown while the user waits: the yearly
review's PDF and a payment run's file marked sent (its self-billed invoices issued)."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from relais.commissions.models import Invoice, PaymentRun
from relais.commissions.services import runs
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.core.jobs import requeue_stalled
from relais.core.models import BackgroundJob
from relais.testing.factories import PartnerFactory, partner_user

# The real task worker runs here (db_worker) and closes its connection: transactional tests.
pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HTTP_HX_REQUEST": "true"}
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_the_yearly_review_pdf_is_made_by_the_worker_its_progress_shown(client, manager):
    PartnerFactory(reseller=True)
    client.force_login(manager)
    review = client.get(f"/routing/review/{YEAR}/").content.decode()
    assert f'action="/routing/review/{YEAR}/pdf/"' in review  # a button, not a 7-second link
    asked = client.post(f"/routing/review/{YEAR}/pdf/")
    job = BackgroundJob.objects.get()
    assert asked["Location"] == f"/jobs/{job.pk}/"
    waiting = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Yearly review" in waiting
    assert "Waiting for the task worker" in waiting
    assert f'hx-get="/jobs/{job.pk}/"' in waiting  # the progress polls until it is done
    worker()
    done = client.get(f"/jobs/{job.pk}/", **HTMX).content.decode()
    assert "hx-get" not in done
    assert "Done" in done
    assert f'href="/jobs/{job.pk}/file"' in done
    pdf = client.get(f"/jobs/{job.pk}/file")
    assert pdf["Content-Disposition"] == f'attachment; filename="review-{YEAR}.pdf"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # Asked twice while it waits: one job. A partner user does not reach a manager's job.
    client.post(f"/routing/review/{YEAR}/pdf/")
    client.post(f"/routing/review/{YEAR}/pdf/")
    assert BackgroundJob.objects.filter(state="queued").count() == 1
    client.force_login(partner_user(PartnerFactory()))
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404


def test_marking_a_file_sent_answers_at_once_and_shows_the_invoices_being_issued(client, manager):
    payable_line(signed_partner(reseller=True, tax_regime="vat_liable"), "800.00")
    run = runs.run_create(cutoff=date.today(), execution_date=date.today(), actor=manager)
    client.force_login(manager)
    client.post(f"/commissions/runs/{run.pk}/send/")
    run.refresh_from_db()
    assert (run.status, Invoice.objects.count()) == ("draft", 0)  # not in the request
    page = client.get(f"/commissions/runs/{run.pk}/").content.decode()
    job = BackgroundJob.objects.get()
    assert re.search(rf'hx-get="/jobs/{job.pk}/\?embedded=1"', page)
    assert "Waiting for the task worker" in page
    assert "File sent to the bank</button>" not in page  # not twice
    worker()
    polled = client.get(f"/jobs/{job.pk}/?embedded=1", **HTMX)
    assert polled["HX-Refresh"] == "true"  # the run's page reloads, its invoices shown
    run.refresh_from_db()
    assert run.status == "sent"
    invoice = Invoice.objects.get()
    page = client.get(f"/commissions/runs/{run.pk}/").content.decode()
    assert invoice.number in page
    assert "Marked as sent; 1 self-billed invoice issued." in page


def test_a_failed_job_says_why_and_a_stalled_one_is_queued_again(client, manager):
    payable_line(signed_partner(mandate=False), "40.00")
    run = runs.run_create(cutoff=date.today(), execution_date=date.today(), actor=manager)
    client.force_login(manager)
    client.post(f"/commissions/runs/{run.pk}/send/")
    PaymentRun.objects.filter(pk=run.pk).update(status="cancelled")  # meanwhile
    worker()
    job = BackgroundJob.objects.get()
    assert job.state == "failed"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "This run is Cancelled: that is no longer possible." in page
    assert "Retry" in page
    # A worker that died: silent past the stall delay, the recurring job queues it again.
    PaymentRun.objects.filter(pk=run.pk).update(status="draft")
    long_ago = timezone.now() - timedelta(hours=1)
    BackgroundJob.objects.filter(pk=job.pk).update(state="running", heartbeat_at=long_ago)
    assert requeue_stalled(timezone.now()) == "1 re-queued, 0 given up"
    worker()
    job.refresh_from_db()
    run.refresh_from_db()
    assert (job.state, run.status) == ("done", "sent")
