"""CSV/XLSX import (mapping, dry run, per-row report, both modes) and export of partners."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from relais.partners.models import Partner, PartnerImport
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

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


def run(client, batch, action, mode="valid_only"):
    data = {"action": action, "mode": mode, **{f"map_{f}": h for f, h in batch.mapping.items()}}
    client.post(f"/partners/import/{batch.pk}/", data)
    batch.refresh_from_db()
    return batch.report


def test_headers_and_french_labels_are_recognised(uploaded):
    _response, batch = uploaded()
    assert batch.mapping["email"] == "Courriel"
    assert batch.mapping["postcode"] == "Code postal"
    assert batch.mapping["first_name"] == "Prénom"


def test_a_dry_run_reports_every_row_and_saves_nothing(client, uploaded):
    _response, batch = uploaded()
    report = run(client, batch, "preview")
    assert (report["total"], report["valid"], report["created"]) == (3, 2, 0)
    assert report["errors"] == [
        {"row": 4, "fields": {"siret": report["errors"][0]["fields"]["siret"]}}
    ]
    assert "73282932000075" in report["errors"][0]["fields"]["siret"]
    assert not Partner.objects.exists()


def test_valid_rows_only_imports_the_good_ones(client, uploaded):
    _response, batch = uploaded()
    report = run(client, batch, "import")
    assert report["created"] == 2
    assert set(Partner.objects.values_list("email", flat=True)) == {
        "lea@example.fr",
        "contact@soleil.fr",
    }
    assert Partner.objects.get(email="lea@example.fr").tax_regime == "bnc_non_pro"
    errors = client.get(f"/partners/import/{batch.pk}/errors.csv").getvalue().decode("utf-8-sig")
    assert "4;siret;" in errors


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(client, uploaded):
    _response, batch = uploaded()
    report = run(client, batch, "import", mode="all_or_nothing")
    assert report["created"] == 0
    assert len(report["errors"]) == 1
    assert not Partner.objects.exists()


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
    assert run(client, batch, "import")["created"] == 1
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
    assert batch.report == {}


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
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows())) == 5
