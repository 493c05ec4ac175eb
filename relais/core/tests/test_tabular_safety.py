"""Exports never hand a spreadsheet a formula typed by a user (OWASP CSV injection)."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from relais.core.tabular import csv_stream, xlsx_bytes
from relais.leads import services
from relais.leads.models import Lead
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# What a spreadsheet would run, each with what the export must show instead.
PAYLOADS = {
    '=HYPERLINK("http://evil")': '\'=HYPERLINK("http://evil")',
    "+1+1": "'+1+1",
    "@SUM(A1)": "'@SUM(A1)",
    "-2+3": "'-2+3",
    "\tx": "'\tx",
    "\rx": "'\rx",
}


def csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))


def partners_with_payload_names():
    return {payload: PartnerFactory(company_name=payload) for payload in PAYLOADS}


def test_the_partner_csv_export_neutralises_every_formula(client, manager):
    partners = partners_with_payload_names()
    client.force_login(manager)
    rows = csv_rows(client.get("/partners/export/?format=csv"))
    header, body = rows[0], rows[1:]
    by_id = {row[header.index("id")]: row for row in body}
    for payload, partner in partners.items():
        row = by_id[str(partner.pk)]
        assert row[header.index("company_name")] == PAYLOADS[payload]
        assert row[header.index("postcode")] == "69003"  # plain text is left alone


def test_the_partner_xlsx_export_writes_formulas_as_text_and_numbers_as_numbers(client, manager):
    partners = partners_with_payload_names()
    client.force_login(manager)
    response = client.get("/partners/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # streamed
    header = [cell.value for cell in sheet[1]]
    company = header.index("company_name") + 1
    by_id = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for payload, partner in partners.items():
        id_cell = by_id[partner.pk][0]
        assert (id_cell.value, id_cell.data_type) == (partner.pk, "n")
        cell = by_id[partner.pk][company - 1]
        assert (cell.value, cell.data_type) == (PAYLOADS[payload], "s")


def test_the_lead_csv_export_neutralises_names_but_keeps_a_negative_amount(client, manager):
    lead = services.lead_submit(
        data={
            "last_name": "-2+3",
            "company_name": "@SUM(A1)",
            "phone": "06 11 22 33 44",
            "postcode": "31000",
        },
        channel="staff",
    )
    Lead.objects.filter(pk=lead.pk).update(estimated_value=Decimal("-12.50"))
    client.force_login(manager)
    header, row = csv_rows(client.get("/leads/?format=csv"))
    assert row[header.index("last_name")] == "'-2+3"
    assert row[header.index("company_name")] == "'@SUM(A1)"
    assert row[header.index("estimated_value")] == "-12.50"  # a number, not a user's text
    assert row[header.index("id")] == str(lead.pk)


def test_the_writers_prefix_user_text_and_never_numbers_or_dates():
    from datetime import date

    row = ["-12", -12, Decimal("-12.50"), -1.5, date(2026, 1, 2), "=1+1", None, "Dupont"]
    lines = list(csv_stream(["a"] * len(row), [row]))
    assert lines[1] == "'-12;-12;-12.50;-1.5;2026-01-02;'=1+1;;Dupont\r\n"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["a"] * len(row), [row], "t"))).active
    cells = sheet[2]
    assert [(c.value, c.data_type) for c in cells[:4]] == [
        ("'-12", "s"),
        (-12, "n"),
        (-12.5, "n"),
        (-1.5, "n"),
    ]
    assert cells[4].is_date
    assert (cells[5].value, cells[5].data_type) == ("'=1+1", "s")


def test_an_xlsx_export_drops_control_characters_excel_refuses():
    # openpyxl raises on them (a 500 for the whole export); a pasted name can carry one.
    content = xlsx_bytes(["name"], [["Du\x01pont\x0b"]], "t")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "Dupont"
