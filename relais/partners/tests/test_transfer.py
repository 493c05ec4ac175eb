"""CSV/XLSX import (mapping, dry run, per-row report, both modes) and export of partners."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from relais.core import resumable
from relais.partners.models import Partner, PartnerImport
from relais.partners.services import imports
from relais.testing.factories import PartnerFactory

# The real task worker runs the import and closes the connection it used: a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)

FRENCH_CSV = (
    "Type;Forme juridique;Régime fiscal;Raison sociale;Prénom;Nom;Courriel;Code postal;SIRET\n"
    "Apporteur d'affaires;Particulier;Revenus occasionnels (BNC non professionnels, 2042-C-PRO);;Léa;Martin;lea@example.fr;33000;\n"
    "revendeur;société;vat_liable;Soleil SAS;;;contact@soleil.fr;69003;73282932000074\n"
    "reseller;company;vat_liable;Ombre SARL;;;contact@ombre.fr;69003;73282932000075\n"
).encode()


@pytest.fixture
def uploaded(client, manager):
    client.force_login(manager)

    def upload(content=FRENCH_CSV, name="partenaires.csv"):
        response = client.post("/partners/import/", {"file": SimpleUploadedFile(name, content)})
        return response, PartnerImport.objects.order_by("-pk").first()

    return upload


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def queue(client, batch, action, mode="valid_only"):
    data = {"action": action, "mode": mode, **{f"map_{f}": h for f, h in batch.mapping.items()}}
    return client.post(f"/partners/import/{batch.pk}/", data)


def run(client, batch, action, mode="valid_only"):
    queue(client, batch, action, mode)
    run_worker()
    batch.refresh_from_db()
    return batch


def test_headers_and_french_labels_are_recognised(uploaded):
    _response, batch = uploaded()
    assert batch.mapping["email"] == "Courriel"
    assert batch.mapping["postcode"] == "Code postal"
    assert batch.mapping["first_name"] == "Prénom"


def test_a_dry_run_reports_every_row_and_saves_nothing(client, uploaded):
    _response, batch = uploaded()
    batch = run(client, batch, "preview")
    assert (batch.state, batch.processed, batch.valid, batch.invalid, batch.created) == (
        "done",
        3,
        2,
        1,
        0,
    )
    report = batch.report
    assert report["errors"] == [
        {"row": 4, "fields": {"siret": report["errors"][0]["fields"]["siret"]}}
    ]
    assert "73282932000075" in report["errors"][0]["fields"]["siret"]
    assert not Partner.objects.exists()
    page = client.get(f"/partners/import/{batch.pk}/").content.decode()
    assert "73282932000075" in page
    assert "lea@example.fr" in page  # the valid rows, previewed
    assert 'value="import"' in page  # and the import, to confirm


def test_a_dry_run_names_an_over_long_field_and_writes_nothing(client, uploaded):
    content = FRENCH_CSV.replace(b"Martin", b"M" * 150)
    _response, batch = uploaded(content)
    batch = run(client, batch, "preview")
    (first, _siret) = batch.report["errors"]
    assert first["row"] == 2
    assert "100" in first["fields"]["last_name"]
    assert not Partner.objects.exists()


def test_a_confirmed_import_runs_in_the_worker_and_creates_each_partner_once(client, uploaded):
    _response, batch = uploaded()
    run(client, batch, "preview")
    batch = run(client, batch, "import")
    assert (batch.state, batch.created, batch.invalid, batch.resume_after) == ("done", 2, 1, 4)
    assert batch.imported_at is not None
    imports.run(batch.pk)  # the task run once more: it is finished, nothing happens
    assert Partner.objects.count() == 2
    assert queue(client, batch, "import").status_code == 422  # and it cannot be queued again
    run_worker()
    assert Partner.objects.count() == 2


def test_a_run_started_again_after_its_worker_died_skips_the_rows_it_created(
    client, uploaded, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH", 1)
    _response, batch = uploaded()
    queue(client, batch, "import")
    batch.refresh_from_db()
    # What a worker leaves when it dies after committing its first chunk: that chunk's partner
    # and its row number, the import still "running", its last sign of life long ago.
    first = next(imports._chunks(imports._rows(batch)))
    hold = resumable.claim(PartnerImport, batch.pk)
    assert hold is not None
    imports._create_chunk(batch, hold, first)
    long_ago = timezone.now() - timedelta(hours=1)  # RELAIS_STALLED_AFTER_SECONDS: 5 min
    PartnerImport.objects.filter(pk=batch.pk).update(heartbeat_at=long_ago)
    assert Partner.objects.count() == 1
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/partners/import/{batch.pk}/").content.decode()
    assert "The worker running this import stopped." in page
    client.post(f"/partners/import/{batch.pk}/", {"action": "retry"})
    run_worker()
    batch.refresh_from_db()
    assert (batch.state, batch.processed, batch.created, batch.invalid) == ("done", 3, 2, 1)
    assert sorted(Partner.objects.values_list("email", flat=True)) == [
        "contact@soleil.fr",
        "lea@example.fr",
    ]


def test_an_oversize_file_is_refused_with_its_size_and_the_limit(client, uploaded, settings):
    settings.RELAIS_IMPORT_MAX_MB = 0
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response, batch = uploaded()
    assert response.status_code == 422
    assert (
        "File partenaires.csv is 0 MB; at most 0 MB can be imported." in response.content.decode()
    )
    assert batch is None


def test_the_progress_is_shown_while_the_worker_runs(client, uploaded):
    _response, batch = uploaded()
    queue(client, batch, "import")
    page = client.get(f"/partners/import/{batch.pk}/").content.decode()
    assert "<progress" in page
    assert "0 / 3" in page
    partial = client.get(f"/partners/import/{batch.pk}/", headers={"HX-Request": "true"})
    assert partial.templates[0].name == "partners/partials/_import_progress.html"
    assert 'hx-trigger="every 2s"' in partial.content.decode()
    run_worker()
    partial = client.get(f"/partners/import/{batch.pk}/", headers={"HX-Request": "true"})
    assert "3 / 3" in partial.content.decode()
    assert 'value="100"' in partial.content.decode()
    assert "hx-trigger" not in partial.content.decode()


def test_valid_rows_only_imports_the_good_ones(client, uploaded):
    _response, batch = uploaded()
    batch = run(client, batch, "import")
    assert batch.created == 2
    assert set(Partner.objects.values_list("email", flat=True)) == {
        "lea@example.fr",
        "contact@soleil.fr",
    }
    assert Partner.objects.get(email="lea@example.fr").tax_regime == "bnc_non_pro"
    errors = client.get(f"/partners/import/{batch.pk}/errors.csv").getvalue().decode("utf-8-sig")
    assert "4;siret;" in errors


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(client, uploaded):
    _response, batch = uploaded()
    batch = run(client, batch, "import", mode="all_or_nothing")
    assert batch.created == 0
    assert len(batch.report["errors"]) == 1
    assert not Partner.objects.exists()
    page = client.get(f"/partners/import/{batch.pk}/").content.decode()
    assert "Rien importé" in page  # French, the default language


def test_an_xlsx_file_imports_too(client, uploaded):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["kind", "legal_form", "tax_regime", "first_name", "last_name", "email", "postcode"]
    )
    sheet.append(
        ["introducer", "individual", "bnc_non_pro", "Noé", "Petit", "noe@example.fr", 13001]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    _response, batch = uploaded(buffer.getvalue(), "liste.xlsx")
    assert run(client, batch, "import").created == 1
    assert Partner.objects.get().departement_id == "13"


def test_a_file_that_is_not_a_table_is_refused(uploaded):
    response, batch = uploaded(b"%PDF-1.7", "contrat.pdf")
    assert response.status_code == 422
    assert "contrat.pdf" in response.content.decode()
    assert batch is None


def test_a_mapping_without_the_required_fields_is_refused(client, uploaded):
    _response, batch = uploaded()
    client.post(
        f"/partners/import/{batch.pk}/",
        {"action": "preview", "mode": "valid_only", "map_email": "Courriel"},
    )
    batch.refresh_from_db()
    assert (batch.state, batch.report) == ("uploaded", {})


def test_export_follows_the_filters_in_csv_and_xlsx(client, manager):
    PartnerFactory.create_batch(3, status="active")
    PartnerFactory(status="paused", last_name="Enpause")
    client.force_login(manager)
    body = b"".join(
        client.get("/partners/export/?status=active&format=csv").streaming_content
    ).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][:3] == ["id", "kind", "legal_form"]
    assert len(rows) == 4
    assert "Enpause" not in body
    response = client.get("/partners/export/?format=xlsx")
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content)), read_only=True
    ).worksheets[0]
    assert len(list(sheet.iter_rows())) == 5
