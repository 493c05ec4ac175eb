"""Lines from events: idempotent, versioned, the narrowest rule, bonuses, refunds, holds."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from relais.commissions.handlers import on_deal_refunded, on_lead_qualified, on_lead_won
from relais.commissions.models import CommissionLine, Plan, Rule
from relais.commissions.services import lines as svc
from relais.commissions.services.rules import plan_activate, rule_new_version
from relais.commissions.tests.conftest import active_plan, won_lead
from relais.core.audit import audit_trail
from relais.core.errors import DomainError
from relais.leads.events import DealRefunded, LeadQualified, LeadWon
from relais.leads.services import deal_refund
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_won_deal_pays_the_introducer_once_however_often_the_event_comes(
    manager, introducer, django_capture_on_commit_callbacks
):
    active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(10)})
    with django_capture_on_commit_callbacks(execute=True):
        lead = won_lead(introducer, manager, "12345.67")
    on_lead_won(LeadWon(lead_id=lead.pk))  # delivered twice
    line = CommissionLine.objects.get()
    assert (line.partner, line.amount, line.status, line.kind) == (
        introducer,
        Decimal("1234.57"),
        "pending",
        "commission",
    )


def test_a_qualified_lead_earns_a_fixed_amount(manager, introducer):
    active_plan(manager, {"trigger": "qualified", "formula": "fixed", "amount": Decimal(30)})
    lead = won_lead(introducer, manager, 100)
    on_lead_qualified(LeadQualified(lead_id=lead.pk))
    assert CommissionLine.objects.get().amount == Decimal("30.00")


def test_a_new_version_applies_from_its_date_and_old_lines_keep_theirs(manager, introducer):
    plan = active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(5)})
    v1 = plan.rules.get()
    first = won_lead(introducer, manager, 1000, 1, day=date.today() - timedelta(days=10))
    on_lead_won(LeadWon(lead_id=first.pk))
    v2 = rule_new_version(
        rule=v1,
        changes={"rate": Decimal(8)},
        starting=date.today() - timedelta(days=5),
        actor=manager,
    )
    second = won_lead(introducer, manager, 1000, 2)
    on_lead_won(LeadWon(lead_id=second.pk))
    by_lead = {line.lead_id: line for line in CommissionLine.objects.all()}
    assert (by_lead[first.pk].rule, by_lead[first.pk].amount) == (v1, Decimal("50.00"))
    assert (by_lead[second.pk].rule, by_lead[second.pk].amount) == (v2, Decimal("80.00"))
    assert by_lead[first.pk].detail["version"] == 1


def test_the_narrowest_rule_applies_to_a_partner(manager, introducer):
    other = PartnerFactory()
    active_plan(
        manager,
        {"trigger": "won", "formula": "percent", "rate": Decimal(5)},
        {"trigger": "won", "formula": "percent", "rate": Decimal(8), "partner": introducer},
    )
    for n, partner in enumerate((introducer, other)):
        on_lead_won(LeadWon(lead_id=won_lead(partner, manager, 1000, n).pk))
    amounts = dict(CommissionLine.objects.values_list("partner_id", "amount"))
    assert amounts == {introducer.pk: Decimal("80.00"), other.pk: Decimal("50.00")}


def test_two_rules_for_the_same_scope_and_dates_are_refused_with_both_named(manager):
    plan = Plan.objects.create(name="Contradictoire")
    for code, rate in (("a", 5), ("b", 7)):
        Rule.objects.create(
            plan=plan,
            code=code,
            name=f"Taux {rate}",
            trigger="won",
            formula="percent",
            rate=Decimal(rate),
            valid_from=date(2026, 1, 1),
        )
    with pytest.raises(DomainError) as error:
        plan_activate(plan=plan, actor=manager)
    assert error.value.code == "overlapping_rules"
    assert "Taux 5" in error.value.message
    assert "Taux 7" in error.value.message
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_negative_amount_is_refused_naming_the_field(manager):
    with pytest.raises(DomainError) as error:
        active_plan(manager, {"trigger": "won", "formula": "fixed", "amount": Decimal(-10)})
    assert error.value.fields == {"amount": "Must not be negative."}
    assert not Plan.objects.filter(status="active").exists()


def test_a_bonus_is_paid_once_when_the_period_target_is_reached(manager, introducer):
    active_plan(
        manager,
        {"trigger": "won", "formula": "percent", "rate": Decimal(10)},
        {
            "trigger": "won",
            "formula": "bonus",
            "amount": Decimal(150),
            "target": Decimal(2),
            "tier_basis": "count",
            "period": "month",
            "code": "bonus",
        },
    )
    for n in range(3):
        on_lead_won(LeadWon(lead_id=won_lead(introducer, manager, 1000, n).pk))
    bonuses = CommissionLine.objects.filter(kind="bonus")
    assert [(b.amount, b.lead_id) for b in bonuses] == [(Decimal("150.00"), None)]
    assert CommissionLine.objects.filter(kind="commission").count() == 3


def test_a_partial_refund_takes_back_in_proportion_with_negative_lines(manager, introducer):
    active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(10)})
    lead = won_lead(introducer, manager, 10000)
    on_lead_won(LeadWon(lead_id=lead.pk))
    original = CommissionLine.objects.get()
    event = deal_refund(lead=lead, amount=Decimal(2500), actor=manager, reason="Avoir partiel")
    lead.refresh_from_db()
    on_deal_refunded(DealRefunded(lead_id=lead.pk, event_id=event.pk))
    on_deal_refunded(DealRefunded(lead_id=lead.pk, event_id=event.pk))  # twice: once
    rest = deal_refund(lead=lead, amount=Decimal(7500), actor=manager, reason="Annulation")
    lead.refresh_from_db()
    on_deal_refunded(DealRefunded(lead_id=lead.pk, event_id=rest.pk))
    clawbacks = list(CommissionLine.objects.filter(kind="clawback").order_by("pk"))
    assert [c.amount for c in clawbacks] == [Decimal("-250.00"), Decimal("-750.00")]
    assert all(c.reverses == original for c in clawbacks)
    original.refresh_from_db()
    assert original.amount == Decimal("1000.00")  # never edited
    with pytest.raises(DomainError):
        deal_refund(lead=lead, amount=Decimal(1), actor=manager, reason="Trop")


def test_a_duplicate_leads_line_is_held_until_a_manager_releases_it(manager, introducer):
    active_plan(manager, {"trigger": "won", "formula": "fixed", "amount": Decimal(100)})
    lead = won_lead(introducer, manager, 500)
    original = won_lead(PartnerFactory(), manager, 500, 9)
    type(lead).objects.filter(pk=lead.pk).update(duplicate_of=original)
    on_lead_won(LeadWon(lead_id=lead.pk))
    line = CommissionLine.objects.get(lead=lead)
    assert line.hold_reason.startswith("Possible duplicate")
    with pytest.raises(DomainError):
        svc.lines_approve(ids=[line.pk], actor=manager)
    svc.line_unhold(line=line, actor=manager, note="Vérifié")
    assert svc.lines_approve(ids=[line.pk], actor=manager) == 1
    assert svc.lines_release(ids=[line.pk], actor=manager) == 1
    line.refresh_from_db()
    assert (line.status, line.approved_by) == ("payable", manager)
    assert [e.action for e in audit_trail(line).order_by("pk")] == [
        "released",
        "approved",
        "payable",
    ]


def test_a_rule_for_resellers_pays_the_deals_reseller_only(manager, introducer):
    reseller = PartnerFactory(reseller=True)
    active_plan(
        manager,
        {"trigger": "won", "formula": "fixed", "amount": Decimal(40), "beneficiary": "reseller"},
    )
    on_lead_won(LeadWon(lead_id=won_lead(introducer, manager, 900, reseller=reseller).pk))
    assert list(CommissionLine.objects.values_list("partner_id", flat=True)) == [reseller.pk]


def test_progressive_tiers_accumulate_over_the_partners_year(manager, introducer):
    active_plan(
        manager,
        {"trigger": "won", "formula": "progressive", "tiers": [[0, 5], [10000, 7]]},
    )
    last_year = date(timezone.localdate().year - 1, 6, 1)
    on_lead_won(LeadWon(lead_id=won_lead(introducer, manager, 9000, 9, day=last_year).pk))
    for n, amount in enumerate((8000, 5000)):
        on_lead_won(LeadWon(lead_id=won_lead(introducer, manager, amount, n).pk))
    # Last year's 9,000 counts in its own year only: 450. This year, 8,000 × 5 % = 400; then
    # 2,000 × 5 % + 3,000 × 7 % = 310.
    amounts = dict(CommissionLine.objects.values_list("lead__last_name", "amount"))
    assert amounts == {
        "Client 9": Decimal("450.00"),
        "Client 0": Decimal("400.00"),
        "Client 1": Decimal("310.00"),
    }
