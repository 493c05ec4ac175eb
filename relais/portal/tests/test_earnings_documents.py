"""A professional's documents sent from the portal: kept once however often they are sent, with a
clear message for the repeat, audited; and the statement of a payment served as the task worker
made it, never built by the request."""

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from relais.commissions.models import OwnInvoice, VigilanceCertificate
from relais.commissions.services import runs
from relais.commissions.services.documents import own_invoice_create
from relais.commissions.tasks import run_documents
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.core.audit import audit_trail
from relais.core.errors import DomainError

pytestmark = pytest.mark.django_db
TODAY = date.today()
PDF = b"%PDF-1.4 test"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def professional(client):
    partner = signed_partner(reseller=True, mandate=False, tax_regime="vat_liable")
    client.force_login(partner.members.get().user)
    return partner


def send_invoice(client, number="F-12"):
    return client.post(
        "/portal/documents/upload/invoice/",
        {"number": number, "amount_incl_vat": "120.00", "file": SimpleUploadedFile("f.pdf", PDF)},
        follow=True,
    )


def send_certificate(client, issued_on=TODAY):
    return client.post(
        "/portal/documents/upload/vigilance/",
        {"issued_on": issued_on.isoformat(), "file": SimpleUploadedFile("v.pdf", PDF)},
        follow=True,
    )


def stored_files(settings, folder):
    return [p for p in Path(settings.MEDIA_ROOT, folder).rglob("*") if p.is_file()]


def test_an_invoice_sent_twice_is_kept_once_and_the_second_send_says_so(
    client, professional, settings
):
    assert "Document received." in send_invoice(client).content.decode()
    again = send_invoice(client, number=" F-12 ")
    assert again.status_code == 200
    assert "You already sent invoice F-12." in again.content.decode()
    assert list(professional.own_invoices.values_list("number", flat=True)) == ["F-12"]
    assert len(stored_files(settings, "own-invoices")) == 1  # the repeat's file is not kept
    entry = audit_trail(professional.own_invoices.get()).get()
    assert (entry.action, entry.actor) == ("received", professional.members.get().user)


def test_a_certificate_sent_twice_is_kept_once_and_the_second_send_says_so(
    client, professional, settings
):
    send_certificate(client)
    again = send_certificate(client)
    assert "You already sent the certificate issued on" in again.content.decode()
    assert professional.vigilance.count() == 1
    assert len(stored_files(settings, "vigilance")) == 1
    assert audit_trail(professional.vigilance.get()).get().action == "received"
    send_certificate(client, TODAY - timedelta(days=1))  # another date: another certificate
    assert professional.vigilance.count() == 2


def test_a_certificate_dated_in_the_future_is_refused(client, professional):
    page = send_certificate(client, TODAY + timedelta(days=3))
    assert "A certificate cannot be issued in the future." in page.content.decode()
    assert not VigilanceCertificate.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_invoice_sent_twice_at_the_same_instant_is_kept_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    partner = signed_partner(reseller=True, mandate=False, tax_regime="vat_liable")
    barrier, outcomes = threading.Barrier(2), []

    def send():
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # the language is per thread
                own_invoice_create(
                    partner=partner,
                    number="F-99",
                    amount_incl_vat=120,
                    file=SimpleUploadedFile("f.pdf", PDF),
                    actor=None,
                )
            outcomes.append("saved")
        except DomainError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["You already sent invoice F-99.", "saved"]
    assert OwnInvoice.objects.filter(partner=partner).count() == 1


@pytest.fixture
def payment(client, manager):
    introducer = signed_partner(mandate=False)
    client.force_login(introducer.members.get().user)
    payable_line(introducer, "75.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    return run.items.get()


def documents_jobs(run):
    return [
        t
        for t in DBTaskResult.objects.filter(task_path__endswith="run_documents")
        if t.args_kwargs["args"] == [run.pk]
    ]


def test_a_statement_not_made_yet_is_being_prepared_and_the_job_is_queued_once(
    client, payment, settings, django_capture_on_commit_callbacks
):
    url = f"/portal/statements/{payment.pk}.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url)
        second = client.get(url)  # the partner clicks again
    for response in (first, second):
        assert (response.status_code, response["Retry-After"]) == (202, "60")
        assert "is being prepared: try again in a minute" in response.content.decode()
    payment.refresh_from_db()
    assert not payment.statement  # the request built nothing
    assert stored_files(settings, "statements") == []
    assert [job.status for job in documents_jobs(payment.run)] == ["READY"]


def test_a_statement_the_worker_made_is_downloaded(client, payment):
    assert run_documents.call(payment.run_id) == 1
    response = client.get(f"/portal/statements/{payment.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert documents_jobs(payment.run) == []  # nothing queued for a statement already made
