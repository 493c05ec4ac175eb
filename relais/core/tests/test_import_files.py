"""A file that is not what it claims is refused with a message naming it, through the real
upload pages of both imports: never a 500, never a row half-written."""

import csv
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from relais.core.errors import DomainError
from relais.core.tabular import read_table
from relais.leads import imports
from relais.leads.models import Lead, LeadImport
from relais.partners.models import Partner, PartnerImport

pytestmark = pytest.mark.django_db
LIMIT = csv.field_size_limit()
PAGES = {"leads": ("/leads/import/", LeadImport), "partners": ("/partners/import/", PartnerImport)}


@pytest.fixture(autouse=True)
def english(client):
    # The new messages are asserted in English, whatever French is given to them later.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def png() -> bytes:
    """A real 1×1 PNG: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def upload(client, manager, app, name, content):
    client.force_login(manager)
    url, model = PAGES[app]
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    return response, model


@pytest.mark.parametrize("app", PAGES)
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binaire.csv", bytes(range(256)) * 64, "File binaire.csv: this is not a text (CSV) file."),
        ("photo.csv", png(), "File photo.csv: this is not a text (CSV) file."),
        (
            "leads.xlsx",
            b"Nom;Code postal\nRoux;69003\n",
            "File leads.xlsx: this is not an XLSX workbook, or it is damaged.",
        ),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_at_upload(
    client, manager, app, name, content, message
):
    response, model = upload(client, manager, app, name, content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not model.objects.exists()


def test_a_windows_1252_file_keeps_its_accents(client, manager):
    content = "Nom;Prénom;Code postal\nLefèvre;Hélène;69003\n".encode("cp1252")
    response, _model = upload(client, manager, "leads", "excel.csv", content)
    assert response.status_code == 302
    batch = LeadImport.objects.get()
    assert batch.headers == ["Nom", "Prénom", "Code postal"]
    with batch.file.open("rb") as handle:
        assert list(read_table(handle, "excel.csv").rows) == [["Lefèvre", "Hélène", "69003"]]


def test_a_utf8_accent_cut_by_the_sniffed_head_is_still_utf8():
    # The encoding is guessed on the first 64 KiB: an "é" whose two bytes straddle it made
    # the whole file read as Windows-1252 ("Ã©").
    head = "Nom;Code postal\n" + "Client;69003\n" * 5000
    pad = 64 * 1024 - 1 - len(head.encode()) - len(";69003\nH")
    content = (head + "x" * pad + ";69003\nHélène;69003\n").encode()
    assert content[64 * 1024 - 1 : 64 * 1024 + 1] == "é".encode()
    rows = list(read_table(io.BytesIO(content), "a.csv").rows)
    assert rows[-1] == ["Hélène", "69003"]


def test_a_utf16_text_export_from_excel_is_read():
    # Excel's "Unicode text" is UTF-16 with tabs; its NUL bytes must not make it "binary".
    content = "Nom\tCode postal\nHélène\t69003\n".encode("utf-16")
    table = read_table(io.BytesIO(content), "export.txt")
    assert (table.headers, list(table.rows)) == (["Nom", "Code postal"], [["Hélène", "69003"]])


def long_cell_file() -> bytes:
    return f"Nom;Courriel;Code postal\nRoux;roux@orange.fr;69003\n{'x' * (LIMIT + 1)};a@b.fr;69003\n".encode()


def bad_bytes_file() -> bytes:
    # UTF-8 for its first 64 KiB and more, then a byte no text encoding here has.
    lines = ["Nom;Courriel;Code postal"]
    lines += [f"Client {n} é;c{n}@orange.fr;69003" for n in range(2, 3002)]
    return ("\n".join(lines) + "\n").encode() + b"Mauvais \x81;m@orange.fr;69003\n"


def test_a_cell_longer_than_the_limit_is_refused_at_the_lead_upload(client, manager):
    response, _model = upload(client, manager, "leads", "gros.csv", long_cell_file())
    assert response.status_code == 422
    message = f"File gros.csv, line 3: a cell is longer than {LIMIT} characters."
    assert message in response.content.decode()
    assert not LeadImport.objects.exists()


def test_bytes_that_are_not_text_half_way_are_refused_at_the_lead_upload(client, manager):
    response, _model = upload(client, manager, "leads", "mixte.csv", bad_bytes_file())
    assert response.status_code == 422
    message = "File mixte.csv, line 3002: the text is neither UTF-8 nor Windows-1252."
    assert message in response.content.decode()


PARTNER_HEADER = "Type;Forme juridique;Régime fiscal;Raison sociale;Prénom;Nom;Courriel;Code postal"
GOOD_PARTNER = "introducer;individual;bnc_non_pro;;Léa;Martin;lea@example.fr;33000"
BAD_START = "introducer;individual;bnc_non_pro;;Paul;"


def partner_import(client, manager, content):
    """The page that tells how the import of the file went: the upload page when it refuses
    the file, else the import's page once the import ran (in the worker, if it queues one)."""
    rows = f"{PARTNER_HEADER}\n{GOOD_PARTNER}\n".encode() + content
    response, _model = upload(client, manager, "partners", "partenaires.csv", rows)
    if response.status_code == 422:
        return response.content.decode()
    assert response.status_code == 302
    batch = PartnerImport.objects.get()
    data = {"action": "import", "mode": "valid_only"}
    data |= {f"map_{field}": header for field, header in batch.mapping.items()}
    assert client.post(f"/partners/import/{batch.pk}/", data).status_code in (200, 302)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    response = client.get(f"/partners/import/{batch.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_partner_import_of_a_good_file_creates_its_row(client, manager):
    partner_import(client, manager, b"")
    assert Partner.objects.filter(email="lea@example.fr").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            f"{BAD_START}{'x' * (LIMIT + 1)};p@b.fr;69003\n".encode(),
            f"File partenaires.csv, line 3: a cell is longer than {LIMIT} characters.",
        ),
        (
            f"{BAD_START}Mauvais ".encode() + b"\x81;m@b.fr;69003\n",
            "File partenaires.csv, line 3: the text is neither UTF-8 nor Windows-1252.",
        ),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_the_partner_import_names_a_file_broken_after_its_first_row(
    client, manager, content, message
):
    assert message in partner_import(client, manager, content)
    assert not Partner.objects.filter(email="lea@example.fr").exists()  # the good row neither


@pytest.mark.django_db(transaction=True)
def test_a_stored_file_broken_half_way_fails_its_import_with_the_reason(client, manager):
    # A file kept before the upload checked it whole: the worker stops on the bad line, the
    # import page says why, and nothing is written.
    batch = LeadImport.objects.create(
        created_by=manager,
        filename="ancien.csv",
        file=SimpleUploadedFile("ancien.csv", long_cell_file()),
        headers=["Nom", "Courriel", "Code postal"],
        mapping={"last_name": "Nom", "email": "Courriel", "postcode": "Code postal"},
        total_rows=2,
    )
    imports.import_queue(batch=batch, mapping=batch.mapping, mode="valid_only", dry_run=False)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    message = f"File ancien.csv, line 3: a cell is longer than {LIMIT} characters."
    assert (batch.state, batch.failure) == ("failed", message)
    client.force_login(manager)
    assert message in client.get(f"/leads/import/{batch.pk}/").content.decode()
    assert not Lead.objects.exists()


def test_a_sheet_broken_half_way_is_a_clear_error():
    from openpyxl import Workbook

    book = Workbook()
    for n in range(3000):
        book.active.append([f"Client {n}", "69003"])
    buffer = io.BytesIO()
    book.save(buffer)
    broken = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<row r="2500"', b"<row r=2500")
            target.writestr(item, data)
    broken.seek(0)
    table = read_table(broken, "feuille.xlsx")
    with pytest.raises(DomainError) as error:
        list(table.rows)
    assert error.value.message.startswith("File feuille.xlsx, row ")
    assert error.value.message.endswith("the sheet is damaged and cannot be read from there.")
