"""Internal bonuses: a rule whose payee is an employee, computed by the engine, once per deal,
apart from partners' lines, approved and exported for payroll."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from relais.accounts.choices import Role
from relais.commissions.handlers import on_deal_refunded, on_lead_won
from relais.commissions.models import CommissionLine, EmployeeBonus, Plan, Rule
from relais.commissions.services.employee_bonuses import (
    employee_bonus_accrue,
    employee_bonuses_approve,
    payroll_export_create,
)
from relais.commissions.services.rules import plan_activate
from relais.commissions.tests.conftest import active_plan, won_lead
from relais.core.errors import DomainError
from relais.leads.events import DealRefunded, LeadWon
from relais.leads.services import deal_refund
from relais.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

EMPLOYEE_RULE = {
    "trigger": "won",
    "beneficiary": "employee",
    "formula": "percent",
    "rate": Decimal(2),
    "cap_per_deal": Decimal(500),
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _accrue(colleague, lead):
    return employee_bonus_accrue(
        employee=colleague,
        lead=lead,
        key=f"introduction:1:won:{lead.pk}",
        base=lead.won_amount,
        on=lead.won_date,
        source="Introduction 1",
    )


def test_an_employee_rule_pays_the_colleague_once_and_no_partner(manager, introducer):
    active_plan(manager, EMPLOYEE_RULE)
    colleague = UserFactory(role=Role.SALESPERSON)
    lead = won_lead(introducer, manager, "12345.67")
    on_lead_won_twice = [_accrue(colleague, lead), _accrue(colleague, lead)]
    bonus = EmployeeBonus.objects.get()
    assert on_lead_won_twice == [bonus, bonus]
    assert (bonus.employee, bonus.amount, bonus.status) == (
        colleague,
        Decimal("246.91"),
        "pending",
    )
    # The partners' engine ignores it: the introducer earns nothing from an employee's rule.
    on_lead_won(LeadWon(lead_id=lead.pk))
    assert not CommissionLine.objects.exists()


def test_the_cap_per_deal_holds_for_an_employee(manager, introducer):
    active_plan(manager, EMPLOYEE_RULE)
    lead = won_lead(introducer, manager, "90000")
    assert _accrue(UserFactory(role=Role.SALESPERSON), lead).amount == Decimal("500.00")


def test_no_employee_rule_no_bonus(manager, introducer):
    active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(10)})
    lead = won_lead(introducer, manager, "1000")
    assert _accrue(UserFactory(role=Role.SALESPERSON), lead) is None


def test_a_partner_user_cannot_earn_an_internal_bonus(manager, introducer, introducer_user):
    active_plan(manager, EMPLOYEE_RULE)
    lead = won_lead(introducer, manager, "1000")
    with pytest.raises(DomainError, match="Only an employee"):
        _accrue(introducer_user, lead)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partner_kind": "introducer"}, "beneficiary"),
        ({"trigger": "qualified", "formula": "fixed", "amount": Decimal(50)}, "trigger"),
        ({"formula": "bonus", "amount": Decimal(50), "target": Decimal(3)}, "formula"),
    ],
)
def test_an_employee_rule_scoped_to_partners_or_not_on_won_is_refused(manager, change, field):
    plan = Plan.objects.create(name="Internal")
    Rule.objects.create(
        plan=plan,
        code="intro",
        name="Intro",
        valid_from=date(2020, 1, 1),
        **{**EMPLOYEE_RULE, **change},
    )
    with pytest.raises(DomainError) as caught:
        plan_activate(plan=plan, actor=manager)
    assert field in caught.value.fields


def test_approved_bonuses_go_to_payroll_once_in_csv_and_xlsx(manager, introducer, client):
    active_plan(manager, EMPLOYEE_RULE)
    colleague = UserFactory(role=Role.SALESPERSON, last_name="Martin", email="a.martin@relais.fr")
    bonus = _accrue(colleague, won_lead(introducer, manager, "1000"))
    with pytest.raises(DomainError, match="No approved bonus"):
        payroll_export_create(actor=manager)
    assert employee_bonuses_approve(ids=[bonus.pk], actor=manager) == 1
    with pytest.raises(DomainError, match="not pending"):
        employee_bonuses_approve(ids=[bonus.pk], actor=manager)
    export = payroll_export_create(actor=manager)
    assert (export.count, export.total) == (1, Decimal("20.00"))
    with pytest.raises(DomainError):
        payroll_export_create(actor=manager)  # already handed over
    client.force_login(manager)
    response = client.get(reverse("commissions:payroll_export", args=[export.pk]))
    body = b"".join(response.streaming_content).decode()
    assert "a.martin@relais.fr;Martin;" in body
    assert ";20.00;1000.00;" in body
    xlsx = client.get(reverse("commissions:payroll_export", args=[export.pk]) + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_the_internal_bonus_page_is_a_managers(manager, salesperson, introducer, client):
    active_plan(manager, EMPLOYEE_RULE)
    bonus = _accrue(salesperson, won_lead(introducer, manager, "1000"))
    client.force_login(salesperson)
    assert client.get(reverse("commissions:employee_bonuses")).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("commissions:employee_bonuses"))
    assert "Introduction 1" in page.content.decode()
    client.post(reverse("commissions:employee_bonus_approve"), {"bonus": [bonus.pk]})
    client.post(reverse("commissions:payroll_export_new"))
    bonus.refresh_from_db()
    assert bonus.status == "exported"
    assert bonus.export_id


def _refund(lead, amount, manager):
    entry = deal_refund(lead=lead, amount=Decimal(amount), actor=manager, reason="Annulé")
    event = DealRefunded(lead_id=lead.pk, event_id=entry.pk)
    on_deal_refunded(event)
    on_deal_refunded(event)  # the outbox may deliver twice: nothing more is taken back


def test_a_deal_cancelled_before_payroll_cancels_the_bonus_and_it_is_never_exported(
    manager, introducer
):
    active_plan(manager, EMPLOYEE_RULE)
    colleague = UserFactory(role=Role.SALESPERSON)
    lead = won_lead(introducer, manager, "1000")
    bonus = _accrue(colleague, lead)
    employee_bonuses_approve(ids=[bonus.pk], actor=manager)
    _refund(lead, "1000", manager)
    bonus.refresh_from_db()
    assert bonus.status == "cancelled"
    assert EmployeeBonus.objects.count() == 1  # no correction row: nothing was paid
    assert _accrue(colleague, lead) == bonus  # the won event again earns nothing more
    with pytest.raises(DomainError, match="No approved bonus"):
        payroll_export_create(actor=manager)


def test_an_exported_bonus_refunded_gets_a_negative_row_in_the_next_payroll_export(
    manager, introducer
):
    active_plan(manager, EMPLOYEE_RULE)
    colleague = UserFactory(role=Role.SALESPERSON)
    lead = won_lead(introducer, manager, "1000")
    bonus = _accrue(colleague, lead)
    employee_bonuses_approve(ids=[bonus.pk], actor=manager)
    first = payroll_export_create(actor=manager)
    assert first.total == Decimal("20.00")
    _refund(lead, "400", manager)  # 40 % refunded
    _refund(lead, "600", manager)  # then the rest
    corrections = list(EmployeeBonus.objects.filter(reverses=bonus).order_by("pk"))
    assert [c.amount for c in corrections] == [Decimal("-8.00"), Decimal("-12.00")]
    assert {c.status for c in corrections} == {"approved"}
    bonus.refresh_from_db()
    assert (bonus.status, bonus.export) == ("exported", first)  # the paid row is not edited
    second = payroll_export_create(actor=manager)
    assert (second.count, second.total) == (2, Decimal("-20.00"))
    with pytest.raises(DomainError, match="No approved bonus"):
        payroll_export_create(actor=manager)  # never deducted twice


def test_a_partly_refunded_pending_bonus_keeps_its_status_and_a_pending_correction(
    manager, introducer
):
    active_plan(manager, EMPLOYEE_RULE)
    colleague = UserFactory(role=Role.SALESPERSON)
    lead = won_lead(introducer, manager, "1000")
    bonus = _accrue(colleague, lead)
    _refund(lead, "250", manager)
    (correction,) = EmployeeBonus.objects.filter(reverses=bonus)
    assert (correction.amount, correction.status) == (Decimal("-5.00"), "pending")
    employee_bonuses_approve(ids=[bonus.pk, correction.pk], actor=manager)
    assert payroll_export_create(actor=manager).total == Decimal("15.00")
