"""A partner downloads its statement and its self-billed invoice from the portal."""

from datetime import date
from pathlib import Path

import pytest

from relais.commissions.services import runs
from relais.commissions.tasks import run_documents
from relais.commissions.tests.conftest import payable_line, signed_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_partner_downloads_a_statement_and_an_invoice(browser, live_server, client, manager):
    from facturx import get_xml_from_pdf

    partner = signed_partner(reseller=True, tax_regime="vat_liable", company_name="Habitat Plus")
    payable_line(partner, "1500.00")
    run = runs.run_create(cutoff=date.today(), execution_date=date.today(), actor=manager)
    run_documents.call(run.pk)
    runs.run_send(run=run, actor=manager)
    invoice = run.items.get().invoice
    client.force_login(partner.members.get().user)
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        base_url=live_server.url,
        locale="fr-FR",
        accept_downloads=True,
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto("/portal/")
    page.click(".menu-button")  # on a phone the menu opens from its button
    page.click("nav >> text=Mes gains")
    page.wait_for_url("**/portal/earnings/")
    assert invoice.number in page.locator("#invoices").inner_text()

    with page.expect_download() as statement:
        page.locator("#payments a", has_text="Relevé").first.click()
    statement_bytes = Path(statement.value.path()).read_bytes()
    assert statement_bytes.startswith(b"%PDF")

    with page.expect_download() as download:
        page.locator("#invoices a", has_text="PDF").first.click()
    pdf = Path(download.value.path()).read_bytes()
    _name, xml = get_xml_from_pdf(pdf, check_xsd=True)
    assert invoice.number.encode() in xml
    assert download.value.suggested_filename == f"{invoice.number}.pdf"
    context.close()
