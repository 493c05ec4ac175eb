"""Importing leads in the task worker: dry run, both modes, exact per-row errors, big files."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from relais.leads import imports
from relais.leads.models import Lead, LeadImport
from relais.testing.factories import PartnerFactory

# The real task worker runs here and closes the connection it used: a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)
BAD_ROWS = {
    1502: "postcode",
    4711: "email",
    9000: "phone",
}  # file row numbers (row 1 is the header)


def big_file(rows=10_000, bad_rows=BAD_ROWS):
    lines = ["Nom;Téléphone;Courriel;Code postal;Besoin"]
    for number in range(2, rows + 2):
        postcode, email, phone = "69003", f"prospect{number}@orange.fr", f"06{number:08d}"
        bad = bad_rows.get(number)
        if bad == "postcode":
            postcode = "6900"
        elif bad == "email":
            email = "pas-un-email"
        elif bad == "phone":
            phone, email = "12", ""
        lines.append(f"Client {number};{phone};{email};{postcode};Isolation")
    return SimpleUploadedFile("leads.csv", ("\n".join(lines) + "\n").encode())


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def start(client, manager, upload):
    client.force_login(manager)
    client.post("/leads/import/", {"file": upload})
    return LeadImport.objects.order_by("-pk").first()


def launch(client, batch, action, mode):
    data = {"action": action, "mode": mode, **{f"map_{f}": h for f, h in batch.mapping.items()}}
    client.post(f"/leads/import/{batch.pk}/", data)
    run_worker()
    batch.refresh_from_db()
    return batch


def test_a_10000_row_file_with_3_bad_rows_reports_exactly_those(client, manager):
    batch = start(client, manager, big_file())
    assert batch.total_rows == 10_000
    assert batch.mapping["postcode"] == "Code postal"
    batch = launch(client, batch, "preview", "valid_only")
    assert (batch.state, batch.processed, batch.valid, batch.invalid, batch.created) == (
        "done",
        10_000,
        9_997,
        3,
        0,
    )
    errors = {e.row: e.fields for e in batch.errors.all()}
    assert set(errors) == set(BAD_ROWS)
    assert "6900" in errors[1502]["postcode"]
    assert "pas-un-email" in errors[4711]["email"]
    assert "12" in errors[9000]["phone"]
    assert not Lead.objects.exists()

    batch = launch(client, batch, "import", "all_or_nothing")
    assert (batch.invalid, batch.created) == (3, 0)
    assert not Lead.objects.exists()
    report = b"".join(client.get(f"/leads/import/{batch.pk}/errors.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert report.count("\n") == 4


def test_valid_rows_only_creates_every_good_row(client, manager):
    # The same three kinds of bad rows, in a file small enough to create quickly here
    # (creation speed is measured by the benchmark suite, not by the tests).
    batch = start(client, manager, big_file(300, {52: "postcode", 171: "email", 300: "phone"}))
    batch = launch(client, batch, "import", "valid_only")
    assert (batch.state, batch.created, batch.invalid) == ("done", 297, 3)
    assert Lead.objects.filter(channel="import").count() == 297
    assert sorted(batch.errors.values_list("row", flat=True)) == [52, 171, 300]


def test_an_import_of_many_thousands_keeps_every_row_in_order(client, manager, monkeypatch):
    # Rows are read and validated a thousand ahead of the writes (a second thread): with
    # thousands of 100 rows, 350 rows cross three of them and end in a short one.
    monkeypatch.setattr(imports, "BATCH", 100)
    bad = {2: "postcode", 101: "email", 102: "phone", 351: "postcode"}
    batch = start(client, manager, big_file(350, bad))
    batch = launch(client, batch, "import", "valid_only")
    assert (batch.state, batch.processed, batch.created, batch.invalid) == ("done", 350, 346, 4)
    assert sorted(batch.errors.values_list("row", flat=True)) == sorted(bad)
    names = Lead.objects.order_by("submitted_at", "pk").values_list("last_name", flat=True)
    assert list(names) == [f"Client {n}" for n in range(2, 352) if n not in bad]


def queued(client, manager, upload):
    batch = start(client, manager, upload)
    return imports.import_queue(
        batch=batch, mapping=batch.mapping, mode="valid_only", dry_run=False
    )


def test_a_prospect_in_two_thousands_is_the_duplicate_of_its_earlier_row(
    client, manager, monkeypatch
):
    # On PostgreSQL two thousands are written at once (two connections): the earlier one must
    # still take a shared prospect first, every time.
    monkeypatch.setattr(imports, "BATCH", 50)
    lines = ["Nom;Courriel;Code postal"]
    for n in range(2, 602):
        # From row 52 on, every other row repeats the prospect of the row 49 lines before it,
        # which sits in the thousand just before (or the one before that).
        prospect = n - 49 if n >= 52 and n % 2 == 0 else n
        lines.append(f"Client {n};p{prospect}@orange.fr;69003")
    batch = queued(client, manager, SimpleUploadedFile("d.csv", "\n".join(lines).encode()))
    imports.run(batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.invalid) == ("done", 600, 0)
    row = {lead.pk: int(lead.last_name.split()[1]) for lead in Lead.objects.all()}
    duplicates = Lead.objects.exclude(duplicate_of=None).values_list("pk", "duplicate_of")
    assert sorted((row[pk], row[original]) for pk, original in duplicates) == [
        (n, n - 49) for n in range(52, 602, 2)
    ]


def test_a_thousand_that_fails_stops_the_import_after_the_ones_before_it(
    client, manager, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH", 100)
    submit = imports.leads_submit

    def failing(*, items, **kwargs):
        if any(item.data["last_name"] == "Client 250" for item in items):
            raise RuntimeError("the database went away")
        return submit(items=items, **kwargs)

    monkeypatch.setattr(imports, "leads_submit", failing)
    batch = queued(client, manager, big_file(600, {}))
    with pytest.raises(RuntimeError):
        imports.run(batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.failure) == ("failed", "the database went away")
    # Rows 2–201 (two thousands of 100) and nothing after: no hole, whatever the lanes did.
    assert (batch.processed, batch.created) == (200, 200)
    names = Lead.objects.values_list("last_name", flat=True)
    assert sorted(names) == sorted(f"Client {n}" for n in range(2, 202))


def test_a_row_with_an_unknown_code_and_a_bad_field_reports_both(client, manager):
    PartnerFactory(referral_code="known123")
    lines = [
        "Nom;Courriel;Code postal;Code apporteur",
        "Mme Roux;roux@orange.fr;44000;known123",
        "M. Petit;petit@orange.fr;4400;nobody99",
    ]
    batch = start(client, manager, SimpleUploadedFile("l.csv", "\n".join(lines).encode()))
    batch = launch(client, batch, "import", "valid_only")
    assert (batch.state, batch.failure, batch.created, batch.invalid) == ("done", "", 1, 1)
    assert Lead.objects.get().partner.referral_code == "known123"
    (error,) = batch.errors.all()
    assert "nobody99" in error.fields["partner_code"]
    assert "4400" in error.fields["postcode"]


@pytest.mark.parametrize(
    ("language", "message"),
    [("fr", "un code postal français compte exactement 5"), ("en", "has exactly 5 digits")],
)
def test_the_errors_are_in_the_language_the_import_runs_in(client, manager, language, message):
    batch = queued(client, manager, big_file(3, {3: "postcode"}))
    with translation.override(language):
        imports.run(batch.pk)
    assert message in batch.errors.get().fields["postcode"]


def test_an_oversize_file_is_refused(client, manager, settings):
    settings.RELAIS_IMPORT_MAX_MB = 0
    client.force_login(manager)
    response = client.post(
        "/leads/import/", {"file": SimpleUploadedFile("leads.csv", b"Nom;Code postal\nA;69003\n")}
    )
    assert response.status_code == 422
    assert not LeadImport.objects.exists()


def test_progress_is_served_to_htmx(client, manager):
    batch = start(client, manager, big_file(50))
    response = client.get(f"/leads/import/{batch.pk}/", headers={"HX-Request": "true"})
    assert response.templates[0].name == "leads/partials/_import_progress.html"
    assert "<progress" in response.content.decode()


def test_an_xlsx_file_is_read_too(client, manager):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Nom", "Courriel", "Code postal"])
    book.active.append(["Mme Roux", "roux@orange.fr", 44000])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = start(client, manager, SimpleUploadedFile("leads.xlsx", buffer.getvalue()))
    batch = launch(client, batch, "preview", "valid_only")
    assert (batch.valid, batch.invalid) == (1, 0)


def test_a_failed_import_retried_goes_on_after_the_rows_it_created(client, manager, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 100)
    submit = imports.leads_submit

    def failing(*, items, **kwargs):
        if any(item.data["last_name"] == "Client 250" for item in items):
            raise RuntimeError("the database went away")
        return submit(items=items, **kwargs)

    monkeypatch.setattr(imports, "leads_submit", failing)
    batch = queued(client, manager, big_file(600, {}))
    with pytest.raises(RuntimeError):
        imports.run(batch.pk)
    monkeypatch.setattr(imports, "leads_submit", submit)  # the database is back

    page = client.get(f"/leads/import/{batch.pk}/").content.decode()
    assert 'value="retry"' in page
    client.post(f"/leads/import/{batch.pk}/", {"action": "retry"})
    run_worker()
    batch.refresh_from_db()
    assert (batch.state, batch.failure, batch.processed, batch.created) == ("done", "", 600, 600)
    names = sorted(Lead.objects.values_list("last_name", flat=True))
    assert names == sorted(f"Client {n}" for n in range(2, 602))  # each row once


def test_an_import_whose_worker_went_silent_is_queued_again_and_finished(client, manager):
    batch = queued(client, manager, big_file(30, {}))
    # Taken by a worker that died at once: running, silent for longer than allowed.
    LeadImport.objects.filter(pk=batch.pk).update(
        state="running", attempt=1, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert imports.requeue_stalled(timezone.now()).startswith("1 re-queued")
    run_worker()
    batch.refresh_from_db()
    assert (batch.state, batch.created) == ("done", 30)
    assert Lead.objects.count() == 30


def test_an_import_alive_in_another_worker_is_left_to_it(client, manager):
    batch = queued(client, manager, big_file(30, {}))
    LeadImport.objects.filter(pk=batch.pk).update(state="running", heartbeat_at=timezone.now())
    assert imports.requeue_stalled(timezone.now()).startswith("0 re-queued")
    imports.run(batch.pk)  # a second task for the same import: it does nothing
    assert not Lead.objects.exists()
    page = client.get(f"/leads/import/{batch.pk}/").content.decode()
    assert 'value="retry"' not in page
