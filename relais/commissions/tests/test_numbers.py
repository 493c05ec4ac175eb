"""What a manager and a partner read of amounts, rates, legal figures and dates on the commissions
pages, in their PDFs and in the DAS2 export: one formatter (core/formatting.py) for all of them."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from relais.commissions.models import Gift, Invoice, PaymentRun
from relais.commissions.services import gifts, runs
from relais.commissions.tax import yearly_statement, yearly_statement_pdf
from relais.commissions.tests.conftest import payable_line, signed_partner

pytestmark = pytest.mark.django_db
TODAY = date.today()
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
NN, NB = "\u202f", "\u00a0"  # CLDR French: thousands, then before the euro sign


def paid_run(manager, partner, amount):
    payable_line(partner, amount)
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    return runs.run_mark_paid(run=run, actor=manager)


def pdf_text(pdf: bytes) -> str:
    """The PDF's words, any run of spaces (no-break ones, line breaks) read as one space."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)  # \s: U+202F and U+00A0 too, and line breaks


def test_the_gifts_page_in_french_shows_amounts_grouped_and_the_vat_cap_without_decimals(
    client, manager
):
    partner = signed_partner(mandate=False)
    payable_line(partner, "2000.00")
    gift = Gift.objects.create(name="Vélo", value_incl_vat=Decimal("1802.50"))
    redemption = gifts.redemption_request(partner=partner, gift=gift, actor=None)
    gifts.redemption_approve(redemption=redemption, actor=manager)
    gifts.redemption_deliver(redemption=redemption, actor=manager)
    client.force_login(manager)
    page = client.get("/commissions/redemptions/", **FRENCH).content.decode()
    assert f"1{NN}802,50{NB}€" in page  # the year's total for the beneficiary
    assert f"73{NB}€" in page  # the legal parameter gift_vat_cap, stored as 73.0000
    assert "73,0000" not in page


def test_a_blocked_partners_amount_on_the_run_page_is_french(client, manager):
    payable_line(signed_partner(mandate=False), "10.00")
    blocked = signed_partner(mandate=False, iban="")
    payable_line(blocked, "1802.50")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    client.force_login(manager)
    page = client.get(f"/commissions/runs/{run.pk}/", **FRENCH).content.decode()
    assert f"(1{NN}802,50{NB}€)" in page
    assert "1802.50" not in page


def test_the_legal_parameters_list_shows_figures_without_trailing_zeros(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/core/legalparameter/", **FRENCH).content.decode()
    assert '<td class="field-shown_value">73</td>' in page
    assert '<td class="field-shown_value">18,6</td>' in page  # social levies, 18.6 %
    assert "73,0000" not in page
    assert "73.0000" not in page  # nor in each row's label (the parameter's str)


def test_the_das2_csv_on_any_database_gives_amounts_to_the_cent(client, manager):
    partner = signed_partner(mandate=False)
    paid_run(manager, partner, "2400.01")  # over the 2,400 € threshold; SQLite sums as floats
    client.force_login(manager)
    response = client.get(f"/commissions/das2/{TODAY.year}/?format=csv")
    body = b"".join(response.streaming_content).decode()
    row = next(line for line in body.splitlines() if partner.last_name in line)
    assert ";2400.01;0.00;2400.01;" in row, row


def test_the_payment_run_form_shows_its_dates_to_a_date_input_and_posts_them_back(client, manager):
    """What a browser does: an ``<input type=date>`` keeps only an ISO value (HTML's value
    sanitisation), so "02/12/2026" is shown as nothing and posted as nothing (422)."""
    payable_line(signed_partner(mandate=False), "55.00")
    client.force_login(manager)
    page = client.get("/commissions/runs/", **FRENCH).content.decode()
    data = {}
    for tag in re.findall(r'<input type="date"[^>]*>', page):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        shown = value.group(1) if value else ""
        data[name] = shown if re.fullmatch(r"\d{4}-\d{2}-\d{2}", shown) else ""
    assert data == {"cutoff": TODAY.isoformat(), "execution_date": TODAY.isoformat()}
    data["schema"] = "pain.001.001.09"
    response = client.post("/commissions/runs/", data, **FRENCH)
    assert response.status_code == 302
    assert PaymentRun.objects.count() == 1


def test_the_yearly_statement_pdf_shows_french_amounts_and_the_allowance_rate(manager):
    person = signed_partner(mandate=False)
    paid_run(manager, person, "1802.50")
    text = pdf_text(yearly_statement_pdf(yearly_statement(person, TODAY.year)))
    assert "1 802,50 €" in text
    assert "34 %" in text
    assert "305 €" in text
    assert TODAY.strftime("%d/%m/%Y") in text


def test_the_self_billed_invoice_shows_french_amounts_and_the_vat_rate(manager):
    company = signed_partner(reseller=True, tax_regime="vat_liable")
    payable_line(company, "1802.50")
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    text = pdf_text(Invoice.objects.get().pdf.read())
    assert "Total HT 1 802,50 €" in text
    assert "TVA 20 % 360,50 €" in text
    assert "Total TTC 2 163,00 €" in text
    assert "40 €." in text  # the legal parameter, as written
    assert "40,0000" not in text
