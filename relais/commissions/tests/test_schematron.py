"""Every self-billed invoice and credit note the product issues passes the EN 16931 business rules
(the Factur-X EN 16931 schematron) and the French reform's BR-FR rules, for each seller situation.
The invoices are issued by the product's own services: a payment run sent, a correction accepted."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from relais.commissions.models import Invoice
from relais.commissions.services import runs
from relais.commissions.services.corrections import correction_decide, correction_request
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.commissions.tests.schematron import BR_FR, EN16931, fatal
from relais.core.errors import DomainError

pytestmark = pytest.mark.django_db
TODAY = date.today()

SITUATIONS = {
    "vat-liable company": {"reseller": True},
    "vat-liable micro-entrepreneur": {
        "reseller": True,
        "kind": "introducer",
        "legal_form": "micro",
    },
    "franchise micro-entrepreneur": {
        "reseller": True,
        "kind": "introducer",
        "legal_form": "micro",
        "tax_regime": "vat_franchise",
        "vat_number": "",  # art. 293 B: no VAT number
    },
    "franchise company": {"reseller": True, "tax_regime": "vat_franchise", "vat_number": ""},
}


def issued_invoice(manager, **fields) -> Invoice:
    partner = signed_partner(**fields)
    payable_line(partner, "1234.56")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    return Invoice.objects.get(partner=partner)


def assert_passes(xml: str) -> None:
    errors = [*fatal(xml, EN16931), *fatal(xml, BR_FR)]
    assert not errors, "\n".join(map(str, errors))


@pytest.mark.parametrize("situation", SITUATIONS)
def test_the_self_billed_invoice_passes_en16931_and_the_french_rules(manager, situation):
    invoice = issued_invoice(manager, **SITUATIONS[situation])
    assert invoice.type_code == "389"
    assert_passes(invoice.xml)


@pytest.mark.parametrize("situation", ["vat-liable company", "franchise micro-entrepreneur"])
def test_the_credit_note_passes_en16931_and_the_french_rules_and_says_why(manager, situation):
    invoice = issued_invoice(manager, **SITUATIONS[situation])
    request = correction_request(
        invoice=invoice, amount=Decimal("100.00"), reason="Lead en double", actor=manager
    )
    note = correction_decide(
        request=request, partner=invoice.partner, accept=True, actor=None
    ).credit_note
    assert note.type_code == "261"
    assert_passes(note.xml)
    assert "Lead en double" in note.xml


def test_the_franchise_is_coded_and_the_siren_stands_for_the_missing_vat_number(manager):
    invoice = issued_invoice(manager, **SITUATIONS["franchise micro-entrepreneur"])
    siren = invoice.partner.siren
    assert "<ram:ExemptionReasonCode>VATEX-FR-FRANCHISE</ram:ExemptionReasonCode>" in invoice.xml
    assert "<ram:ExemptionReason>TVA non applicable, art. 293 B du CGI</" in invoice.xml
    assert f'<ram:ID schemeID="FC">{siren}</ram:ID>' in invoice.xml
    assert 'schemeID="VA"' not in invoice.xml.split("<ram:BuyerTradeParty>")[0]


def test_the_electronic_addresses_are_the_partners_and_the_companys_settings(manager, settings):
    settings.RELAIS_COMPANY_EINVOICE_ADDRESS = "0225:732829320_COMPTA"
    partner = signed_partner(reseller=True, address_line="3 place Bellecour")
    partner.einvoice_address = f"{partner.siren}_FACTURES"
    partner.save()
    payable_line(partner, "500.00")
    runs.run_send(
        run=runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager), actor=manager
    )
    xml = Invoice.objects.get(partner=partner).xml
    seller, buyer = xml.split("<ram:BuyerTradeParty>")
    assert f'<ram:URIID schemeID="0225">{partner.siren}_FACTURES</ram:URIID>' in seller
    assert '<ram:URIID schemeID="0225">732829320_COMPTA</ram:URIID>' in buyer
    assert_passes(xml)


def test_without_an_address_of_its_own_the_seller_is_reached_at_its_siren(manager):
    invoice = issued_invoice(manager, **SITUATIONS["vat-liable company"])
    seller = invoice.xml.split("<ram:BuyerTradeParty>")[0]
    assert f'<ram:URIID schemeID="0225">{invoice.partner.siren}</ram:URIID>' in seller
    assert "<ram:RateApplicablePercent>20.00</ram:RateApplicablePercent>" in invoice.xml


def test_the_readme_names_the_rule_set_versions_the_suite_checks():
    from pathlib import Path

    from relais.commissions.tests.schematron import version

    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    assert f"**Factur-X {version(EN16931)} EN 16931**" in readme


def test_a_self_billed_professional_without_a_siren_waits_for_one(manager):
    partner = signed_partner(reseller=True, siren="", siret="", vat_number="")
    payable_line(partner, "300.00")
    with translation.override("en"), pytest.raises(DomainError) as error:
        runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    assert "No SIREN, which a self-billed invoice must show." in error.value.message
    assert not Invoice.objects.exists()
