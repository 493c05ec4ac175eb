"""Payment runs: blocking rules, the SEPA file against the ISO 20022 schema, self-billed Factur-X
invoices against the Factur-X schema, payment, cancellation, and two runs at once."""

import io
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
from django.db import connection, connections, transaction
from django.utils import translation
from lxml import etree

from relais.commissions.invoices import next_number
from relais.commissions.models import CommissionLine, Invoice, PaymentRun
from relais.commissions.services import runs
from relais.commissions.tasks import run_documents
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.core.deferred import say
from relais.core.errors import DomainError

pytestmark = pytest.mark.django_db
TODAY = date.today()
SCHEMAS = Path(sepaxml.__file__).parent / "schemas"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def company(**fields):
    return signed_partner(
        reseller=True, tax_regime=fields.pop("tax_regime", "vat_liable"), **fields
    )


def valid_against(xml: str, schema: str) -> bool:
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / f"{schema}.xsd")))
    document = etree.fromstring(xml.encode())
    if not xsd.validate(document):
        raise AssertionError(str(xsd.error_log))
    return True


def test_a_run_pays_who_it_can_lists_who_it_cannot_and_why(manager):
    pro = company()
    person = signed_partner(mandate=False)  # a private introducer: a statement, no invoice
    no_iban = signed_partner(mandate=False, iban="")
    for partner, amount in ((pro, "1000.00"), (person, "250.50"), (no_iban, "80.00")):
        payable_line(partner, amount)
    later = payable_line(person, "999.00", day=TODAY + timedelta(days=40))
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    items = {i.partner_id: i for i in run.items.all()}
    assert set(items) == {pro.pk, person.pk}
    # A VAT-liable company is paid its commissions plus 20 % VAT; an individual, the amount.
    assert (items[pro.pk].amount_excl_vat, items[pro.pk].vat, items[pro.pk].amount) == (
        Decimal("1000.00"),
        Decimal("200.00"),
        Decimal("1200.00"),
    )
    assert items[person.pk].amount == Decimal("250.50")
    assert run.total == Decimal("1450.50")
    assert [(b["partner"], [say(r) for r in b["reasons"]]) for b in run.blocked] == [
        (no_iban.pk, ["No valid IBAN."])
    ]
    assert CommissionLine.objects.get(partner=no_iban).payment_run is None
    later.refresh_from_db()
    assert later.payment_run is None  # earned after the cutoff
    assert valid_against(run.sepa_xml, "pain.001.001.09")
    assert "<CtrlSum>1450.50</CtrlSum>" in run.sepa_xml


def test_a_run_made_in_french_tells_an_english_reader_why_a_partner_is_not_paid(client, manager):
    payable_line(signed_partner(mandate=False), "10.00")
    no_iban = signed_partner(mandate=False, iban="")
    payable_line(no_iban, "80.00")
    payable_line(company(mandate=False), "1802.50")
    with translation.override("fr"):  # the run is made by a French-speaking manager
        run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    client.force_login(manager)
    english = client.get(f"/commissions/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    page = english.decode()
    assert "No valid IBAN." in page
    assert "Neither a self-billing mandate nor an invoice of its own for €2,163.00." in page
    assert "Aucun IBAN" not in page
    french = client.get(f"/commissions/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content
    assert "Aucun IBAN valide." in french.decode()


def test_a_run_written_before_reasons_were_messages_still_shows_them(client, manager):
    payable_line(signed_partner(mandate=False), "10.00")
    blocked = signed_partner(mandate=False, iban="")
    payable_line(blocked, "80.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    run.blocked[0]["reasons"] = ["Aucun IBAN valide."]  # stored as text, in French
    run.save(update_fields=["blocked"])
    client.force_login(manager)
    page = client.get(f"/commissions/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "Aucun IBAN valide." in page.decode()


def test_the_older_sepa_format_also_validates(manager):
    payable_line(signed_partner(mandate=False), "12.34")
    run = runs.run_create(
        cutoff=TODAY, execution_date=TODAY, actor=manager, schema="pain.001.001.03"
    )
    assert valid_against(run.sepa_xml, "pain.001.001.03")


def test_a_professional_without_mandate_nor_own_invoice_and_without_vigilance_is_blocked(manager):
    partner = company(mandate=False)
    payable_line(partner, "6000.00")
    with pytest.raises(DomainError) as error:
        runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    assert error.value.code == "nothing_to_pay"
    assert "self-billing mandate" in error.value.message
    assert "vigilance" in error.value.message
    assert not PaymentRun.objects.exists()  # nothing half-done
    assert CommissionLine.objects.get().payment_run is None


def test_sending_issues_a_factur_x_self_billed_invoice_numbered_without_gaps(manager):
    from facturx import get_xml_from_pdf, xml_check_xsd
    from pypdf import PdfReader

    liable, franchise = company(), company(tax_regime="vat_franchise", legal_form="micro")
    payable_line(liable, "1000.00")
    payable_line(franchise, "300.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    invoices = {i.partner_id: i for i in Invoice.objects.all()}
    assert sorted(i.number for i in invoices.values()) == ["AF-000001", "AF-000002"]
    first = invoices[liable.pk]
    assert (first.type_code, first.total_excl_vat, first.vat_amount, first.total_incl_vat) == (
        "389",
        Decimal("1000.00"),
        Decimal("200.00"),
        Decimal("1200.00"),
    )
    assert xml_check_xsd(first.xml.encode(), flavor="factur-x", level="en16931")
    pdf = first.pdf.read()
    _name, embedded = get_xml_from_pdf(pdf, check_xsd=True)
    assert b"<ram:TypeCode>389</ram:TypeCode>" in embedded
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Autofacturation" in text
    assert liable.siren in text
    second = invoices[franchise.pk]
    assert second.vat_amount == Decimal("0.00")
    assert "art. 293 B du CGI" in second.xml
    assert "293 B" in " ".join(p.extract_text() for p in PdfReader(second.pdf).pages)


def _issue_then_fail():
    with transaction.atomic():
        assert next_number() == ("AF-000001", 1)
        raise RuntimeError("the PDF could not be made")


def test_a_rolled_back_invoice_gives_its_number_back():
    with pytest.raises(RuntimeError):
        _issue_then_fail()
    assert next_number() == ("AF-000001", 1)
    assert next_number() == ("AF-000002", 2)


def test_paid_by_hand_or_from_the_banks_statement(manager):
    first, second = signed_partner(mandate=False), signed_partner(mandate=False)
    payable_line(first, "100.00")
    payable_line(second, "200.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    with pytest.raises(DomainError):
        runs.run_mark_paid(run=run, actor=manager)  # not sent yet
    runs.run_send(run=run, actor=manager)
    item = run.items.get(partner=first)
    csv = f"reference;amount\n{item.end_to_end_id};100,00\nRLS-OTHER;5,00\n".encode()
    paid, problems = runs.run_import_statement(run=run, content=csv, actor=manager)
    assert (paid, len(problems)) == (1, 1)
    assert CommissionLine.objects.get(partner=first).status == "paid"
    assert CommissionLine.objects.get(partner=second).status == "payable"
    runs.run_mark_paid(run=run, actor=manager)
    run.refresh_from_db()
    assert run.status == "paid"
    assert set(CommissionLine.objects.values_list("status", flat=True)) == {"paid"}


def test_a_cancelled_run_leaves_nothing_paid_and_gives_the_lines_back(manager):
    partner = signed_partner(mandate=False)
    line = payable_line(partner, "40.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_cancel(run=run, actor=manager, reason="Mauvaise date")
    line.refresh_from_db()
    assert (line.status, line.payment_run, line.paid_at) == ("payable", None, None)
    again = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    assert again.items.get().amount == Decimal("40.00")


def test_a_run_with_invoices_cannot_be_cancelled(manager):
    payable_line(company(), "10.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    with pytest.raises(DomainError) as error:
        runs.run_cancel(run=run, actor=manager, reason="Erreur")
    assert error.value.code == "invoiced"


def test_each_partner_gets_a_statement_pdf(manager):
    from pypdf import PdfReader

    partner = signed_partner(mandate=False, first_name="Léa", last_name="Martin")
    payable_line(partner, "75.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    assert run_documents.call(run.pk) == 1
    assert run_documents.call(run.pk) == 0  # twice: nothing more
    item = run.items.get()
    text = PdfReader(item.statement.open()).pages[0].extract_text()
    assert "Léa Martin" in text
    assert "75,00" in text  # French figures: the statement is in French
    assert "5KU" in text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_once_never_share_a_line(manager):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    partners = [signed_partner(mandate=False) for _ in range(4)]
    for partner in partners:
        for _n in range(5):
            payable_line(partner, "10.00")
    barrier, errors = threading.Barrier(2), []

    def start():
        barrier.wait(timeout=10)
        try:
            runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=None)
        except DomainError as exc:
            errors.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    made = list(PaymentRun.objects.all())
    assert len(made) + len(errors) == 2
    assert errors in ([], ["nothing_to_pay"])
    for run in made:
        for item in run.items.all():
            in_run = CommissionLine.objects.filter(payment_run=run, partner=item.partner)
            assert sum(line.amount for line in in_run) == item.amount_excl_vat
    paid_out = sum(i.amount for run in made for i in run.items.all())
    assert paid_out == Decimal("200.00")


def test_preparing_a_run_costs_the_same_queries_for_3_or_12_partners(manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def prepared(count):
        for _ in range(count):
            payable_line(signed_partner(mandate=False), "10.00")
        with CaptureQueriesContext(connection) as queries:
            run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
        runs.run_cancel(run=run, actor=manager, reason="mesure")
        CommissionLine.objects.all().delete()
        return len(queries)

    prepared(1)  # warms Django's caches (content types) up
    assert prepared(12) == prepared(3)


def test_a_sepa_file_the_bank_would_refuse_is_refused_naming_the_fault(manager):
    from relais.commissions.sepa import validate

    partner = signed_partner(mandate=False)
    payable_line(partner, "40.00")
    run = runs.run_create(cutoff=date.today(), execution_date=date.today(), actor=manager)
    validate(run.sepa_xml.encode(), run.schema)  # the file a run keeps passes
    broken = run.sepa_xml.replace('Ccy="EUR"', 'Currency="EUR"')
    with pytest.raises(DomainError) as refused:
        validate(broken.encode(), run.schema)
    assert refused.value.code == "sepa_invalid"
    assert "Ccy" in str(refused.value)  # the amount's currency, required
