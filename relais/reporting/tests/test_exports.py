"""Every list's export as CSV and XLSX: streamed, under the list's filters, scoped as the list,
amounts as numbers in €, text that would start a formula neutralised."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from relais.commissions.models import CommissionLine
from relais.core import tabular
from relais.leads.models import Lead
from relais.leads.services import lead_submit
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _body(response):
    return b"".join(response.streaming_content)


def _lead(name, partner=None):
    data = {"last_name": name, "phone": "0612345600", "postcode": "69003"}
    return lead_submit(data=data, channel="staff", partner=partner)


def test_the_lead_list_exports_as_xlsx_under_its_filters(client, manager):
    _lead("=HYPERLINK(1)")
    _lead("Durand")
    client.force_login(manager)
    response = client.get("/leads/?format=xlsx&q=HYPERLINK")
    assert response.streaming
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert "'=HYPERLINK(1)" in rows[0]  # text, never a formula
    csv = _body(client.get("/leads/?format=csv")).decode("utf-8-sig")
    assert "Durand" in csv


def test_a_salespersons_export_holds_their_rows_only(client):
    seller = UserFactory(role="salesperson")
    mine = _lead("Mien")
    Lead.objects.filter(pk=mine.pk).update(salesperson=seller)
    _lead("Autre")
    client.force_login(seller)
    text = str(
        list(load_workbook(io.BytesIO(_body(client.get("/leads/?format=xlsx")))).active.values)
    )
    assert "Mien" in text
    assert "Autre" not in text


def test_commission_lines_export_keeps_amounts_as_euro_numbers(client, manager):
    partner = PartnerFactory()
    for n, status in enumerate(("pending", "approved")):
        CommissionLine.objects.create(
            partner=partner,
            event_key=f"k{n}",
            kind="lead",
            base=Decimal("1000.00"),
            amount=Decimal("12.50") * (n + 1),
            earned_on="2026-03-01",
            status=status,
        )
    client.force_login(manager)
    response = client.get("/commissions/lines/?status=approved&format=xlsx")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 1  # the list's filter applied
    amount = rows[0][7]
    assert amount.value == 25
    assert amount.data_type == "n"
    assert amount.number_format == tabular.MONEY_FORMAT
    csv = _body(client.get("/commissions/runs/?format=csv")).decode("utf-8-sig")
    assert csv.startswith("Payment run;Lines earned up to;")


def test_an_export_of_many_rows_streams_from_a_file(tmp_path):
    rows = ([n, Decimal("1.50"), f"row {n}"] for n in range(5000))
    response = tabular.xlsx_response("big.xlsx", ["n", "amount", "text"], rows, "big", {1: "0.00"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert sum(1 for _ in sheet.active.iter_rows()) == 5001
