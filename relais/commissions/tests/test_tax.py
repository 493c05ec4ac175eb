"""Gifts instead of cash, corrections by credit note, the yearly statement, DAS2, the simulator."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from relais.commissions.models import CommissionLine, Gift, Plan, Rule
from relais.commissions.services import runs
from relais.commissions.services.corrections import correction_decide, correction_request
from relais.commissions.services.gifts import (
    redemption_approve,
    redemption_deliver,
    redemption_request,
)
from relais.commissions.simulator import simulate
from relais.commissions.tax import das2, gift_vat_flag, regular_activity_warning, yearly_statement
from relais.commissions.tests.conftest import payable_line, signed_partner, won_lead
from relais.core.errors import DomainError, NotYours
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def paid_run(manager, partner, amount):
    payable_line(partner, amount)
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    runs.run_send(run=run, actor=manager)
    runs.run_mark_paid(run=run, actor=manager)
    return run


def test_a_gift_instead_of_cash_comes_off_the_next_payment_and_counts_in_kind(manager):
    partner = signed_partner(mandate=False)
    payable_line(partner, "100.00")
    voucher = Gift.objects.create(name="Coffret", value_incl_vat=Decimal("80.00"))
    too_big = Gift.objects.create(name="Vélo", value_incl_vat=Decimal("500.00"))
    with pytest.raises(DomainError) as error:
        redemption_request(partner=partner, gift=too_big, actor=None)
    assert error.value.code == "balance_too_low"
    redemption = redemption_request(partner=partner, gift=voucher, actor=None)
    redemption_approve(redemption=redemption, actor=manager)
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    assert run.items.get().amount == Decimal("20.00")  # 100 earned − 80 taken as a gift
    redemption_deliver(redemption=redemption, actor=manager)
    year = TODAY.year
    assert gift_vat_flag(partner, year)  # 80 € > the 73 € cap on recoverable VAT
    from relais.commissions.tax import gift_totals

    assert [(t["partner_id"], t["vat_not_recoverable"]) for t in gift_totals(year)] == [
        (partner.pk, True)
    ]


def test_an_issued_invoice_is_corrected_only_by_a_credit_note_the_partner_accepts(manager):
    partner = signed_partner(reseller=True, tax_regime="vat_liable")
    run = paid_run(manager, partner, "500.00")
    invoice = run.items.get().invoice
    with pytest.raises(DomainError) as error:
        correction_request(invoice=invoice, amount=Decimal(900), reason="Erreur", actor=manager)
    assert "cannot be edited" in error.value.message
    request = correction_request(
        invoice=invoice, amount=Decimal(100), reason="Lead en double", actor=manager
    )
    with pytest.raises(NotYours):
        correction_decide(request=request, partner=PartnerFactory(), accept=True, actor=None)
    decided = correction_decide(request=request, partner=partner, accept=True, actor=None)
    note = decided.credit_note
    assert (note.type_code, note.credit_for, note.total_excl_vat, note.vat_amount) == (
        "261",
        invoice,
        Decimal("100.00"),
        Decimal("20.00"),
    )
    assert note.number == "AF-000002"
    assert f"<ram:IssuerAssignedID>{invoice.number}</ram:IssuerAssignedID>" in note.xml
    invoice.refresh_from_db()
    assert invoice.total_excl_vat == Decimal("500.00")  # untouched


def test_the_yearly_statement_and_the_regular_activity_warning(manager, settings):
    person = signed_partner(mandate=False)
    for amount in ("400.00", "300.00", "250.00"):
        paid_run(manager, person, amount)
    statement = yearly_statement(person, TODAY.year)
    assert statement.total == Decimal("950.00")
    assert (statement.allowance_rate, statement.allowance_min) == (Decimal(34), Decimal(305))
    assert "may be regular" in regular_activity_warning(person)  # 3 payments > 2
    from relais.commissions.tax import regular_activity_partners

    assert [r["partner_id"] for r in regular_activity_partners()] == [person.pk]


def test_das2_lists_beneficiaries_above_the_threshold_with_gifts_and_missing_data(manager):
    big = signed_partner(mandate=False, sector="")
    small = signed_partner(mandate=False)
    paid_run(manager, big, "2350.00")
    payable_line(big, "100.00")
    gift = Gift.objects.create(name="Enceinte", value_incl_vat=Decimal("90.00"))
    redemption = redemption_request(partner=big, gift=gift, actor=None)
    redemption_deliver(
        redemption=redemption_approve(redemption=redemption, actor=manager), actor=manager
    )
    paid_run(manager, small, "100.00")
    rows = das2(TODAY.year)
    assert [r.partner for r in rows] == [big]  # over 2,400 with the gift in kind; small is under
    # 2,350 paid, then the 10 left after the gift, paid in the next run.
    assert (rows[0].commissions, rows[0].benefits_in_kind) == (Decimal("2360.00"), Decimal("90.00"))
    assert "profession" in rows[0].missing


def test_the_simulator_shows_what_a_draft_plan_would_have_paid(manager):
    introducer = PartnerFactory()
    for n, amount in enumerate((8000, 5000)):
        won_lead(introducer, manager, amount, n, day=TODAY - timedelta(days=3))
    plan = Plan.objects.create(name="Brouillon")
    Rule.objects.create(
        plan=plan,
        code="paliers",
        name="Paliers",
        trigger="won",
        formula="progressive",
        tiers=[[0, 5], [10000, 7]],
        valid_from=date(2020, 1, 1),
    )
    result = simulate(plan, TODAY - timedelta(days=30), TODAY)
    assert (result.lines, result.total) == (2, Decimal("710.00"))  # 400 + 310
    assert result.top() == [(introducer.display_name, Decimal("710.00"))]
    assert not CommissionLine.objects.exists()  # nothing written
    assert Plan.objects.get(pk=plan.pk).status == "draft"  # nor the plan activated
