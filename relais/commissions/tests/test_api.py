"""``/api/v1/commissions/``: lines walked by cursor and approved, statements (202 until made,
then the PDF), self-billed invoices (the PDF/A-3 and its Factur-X XML) and payment runs with
their SEPA file — each scoped as the pages are: a partner reaches its own, never a run."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from relais.commissions.models import CommissionLine
from relais.commissions.services import runs
from relais.commissions.tasks import run_documents
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.testing.factories import partner_user

pytestmark = pytest.mark.django_db
TODAY = date.today()
BASE = "/api/v1/commissions"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_manager_walks_every_line_by_cursor_and_a_partner_only_its_own(api_client, manager):
    mine, theirs = signed_partner(mandate=False), signed_partner(mandate=False)
    own = [payable_line(mine, f"{n}.00").pk for n in range(1, 6)]
    payable_line(theirs, "99.00")
    api = api_client(manager)

    seen, cursor, pages = [], None, 0
    while True:
        query = {"page_size": 2} | ({"cursor": cursor} if cursor else {})
        body = api.get(f"{BASE}/lines", query).json()
        seen += [line["id"] for line in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert (pages, body["count"]) == (3, 6)
    assert sorted(seen) == sorted(CommissionLine.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 6

    partner_api = api_client(partner_user(mine))
    listed = partner_api.get(f"{BASE}/lines").json()
    assert sorted(line["id"] for line in listed["items"]) == sorted(own)
    other = CommissionLine.objects.get(partner=theirs).pk
    assert partner_api.get(f"{BASE}/lines/{other}").status_code == 404
    assert partner_api.get(f"{BASE}/lines", {"partner": theirs.pk}).json()["items"] == []


def test_a_cursor_that_is_not_one_is_a_422_naming_it(api_client, manager):
    response = api_client(manager).get(f"{BASE}/lines", {"cursor": "bm90IGEgY3Vyc29y"})
    assert response.status_code == 422
    assert "cursor" in response.json()["error"]["fields"]


def test_lines_filter_by_status_and_hold(api_client, manager):
    partner = signed_partner(mandate=False)
    payable_line(partner, "10.00")
    held = payable_line(partner, "20.00")
    CommissionLine.objects.filter(pk=held.pk).update(hold_reason="Doublon possible")
    api = api_client(manager)
    assert [x["id"] for x in api.get(f"{BASE}/lines", {"on_hold": True}).json()["items"]] == [
        held.pk
    ]
    assert api.get(f"{BASE}/lines", {"status": "pending"}).json()["count"] == 0


def test_a_manager_approves_and_releases_lines_a_partner_may_not(api_client, manager):
    partner = signed_partner(mandate=False)
    line = payable_line(partner, "10.00")
    CommissionLine.objects.filter(pk=line.pk).update(status="pending")
    body = {"ids": [line.pk]}

    refused = api_client(partner_user(partner)).post(
        f"{BASE}/lines/approve", body, content_type="application/json"
    )
    api = api_client(manager)
    approved = api.post(f"{BASE}/lines/approve", body, content_type="application/json")
    again = api.post(f"{BASE}/lines/approve", body, content_type="application/json")
    released = api.post(f"{BASE}/lines/release", body, content_type="application/json")

    assert refused.status_code == 403
    assert approved.json() == {"moved": 1}
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "wrong_status"
    assert released.json() == {"moved": 1}
    line.refresh_from_db()
    assert line.status == "payable"


def test_a_run_its_sepa_file_statement_and_invoice_through_the_api(api_client, manager):
    from facturx import get_xml_from_pdf
    from pypdf import PdfReader

    pro = signed_partner(reseller=True, tax_regime="vat_liable")
    payable_line(pro, "1000.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    api, partner_api = api_client(manager), api_client(partner_user(pro))

    listed = api.get(f"{BASE}/payment-runs").json()["items"]
    assert [(r["id"], r["status"], r["total"], r["transfers"]) for r in listed] == [
        (run.pk, "draft", "1200.00", 1)
    ]
    sepa = api.get(f"{BASE}/payment-runs/{run.pk}/sepa")
    assert sepa["Content-Type"] == "application/xml"
    assert b"<CtrlSum>1200.00</CtrlSum>" in sepa.content
    assert partner_api.get(f"{BASE}/payment-runs").status_code == 403
    assert partner_api.get(f"{BASE}/payment-runs/{run.pk}/sepa").status_code == 403

    (statement,) = partner_api.get(f"{BASE}/statements").json()["items"]
    pending = partner_api.get(f"{BASE}/statements/{statement['id']}/pdf")
    assert pending.status_code == 202
    assert pending["Retry-After"] == "60"
    run_documents.call(run.pk)
    made = partner_api.get(f"{BASE}/statements/{statement['id']}/pdf")
    assert made["Content-Type"] == "application/pdf"
    assert PdfReader(io.BytesIO(b"".join(made.streaming_content))).pages

    runs.run_send(run=run, actor=manager)
    (invoice,) = partner_api.get(f"{BASE}/invoices").json()["items"]
    assert (invoice["type_code"], invoice["total_incl_vat"]) == ("389", "1200.00")
    pdf = b"".join(partner_api.get(f"{BASE}/invoices/{invoice['id']}/pdf").streaming_content)
    xml = partner_api.get(f"{BASE}/invoices/{invoice['id']}/xml")
    assert xml["Content-Type"] == "application/xml"
    _name, embedded = get_xml_from_pdf(pdf, check_xsd=False)
    assert embedded == xml.content
    assert invoice["number"].encode() in xml.content


def test_another_partners_statement_and_invoice_are_404(api_client, manager):
    pro, other = signed_partner(reseller=True, tax_regime="vat_liable"), signed_partner()
    payable_line(pro, "10.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    item, invoice = run.items.get(), run.items.get().invoice
    api = api_client(partner_user(other))
    for path in (
        f"statements/{item.pk}",
        f"statements/{item.pk}/pdf",
        f"invoices/{invoice.pk}",
        f"invoices/{invoice.pk}/pdf",
        f"invoices/{invoice.pk}/xml",
    ):
        assert api.get(f"{BASE}/{path}").status_code == 404, path
    assert api.get(f"{BASE}/invoices").json()["items"] == []
    assert Decimal(api_client(manager).get(f"{BASE}/invoices").json()["items"][0]["vat_rate"])
