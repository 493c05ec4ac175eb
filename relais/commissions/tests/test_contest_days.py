"""The days a partner has to contest a self-billed invoice: the mandate it signed and every
invoice issued under it state the same figure, from one setting."""

import re
from datetime import date

import pytest
from pypdf import PdfReader

from relais.commissions.models import Invoice
from relais.commissions.services import runs
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.partners.models import Signature

pytestmark = pytest.mark.django_db
TODAY = date.today()
DAYS = re.compile(r"dispose de (\w+) jours pour contester")


def _mandate_and_invoice_days(manager) -> tuple[str, str]:
    partner = signed_partner(reseller=True, tax_regime="vat_liable")
    mandate = Signature.objects.get(partner=partner, template__kind="self_billing_mandate")
    payable_line(partner, "500.00")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    pdf = Invoice.objects.get(partner=partner).pdf.open("rb")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    signed, invoiced = DAYS.search(mandate.text), DAYS.search(" ".join(text.split()))
    assert signed, mandate.text
    assert invoiced, text
    return signed[1], invoiced[1]


def test_the_invoice_gives_the_days_to_contest_the_signed_mandate_gives(manager):
    assert _mandate_and_invoice_days(manager) == ("15", "15")


def test_one_setting_changes_both_documents(manager, settings):
    settings.RELAIS_INVOICE_CONTEST_DAYS = 21
    assert _mandate_and_invoice_days(manager) == ("21", "21")
