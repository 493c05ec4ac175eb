"""Managers write, simulate and activate commission plans in the product, and change an active
plan through a new version from a date; the Django admin stays for administrators."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from relais.commissions.models import Plan
from relais.commissions.services import plans as editing
from relais.commissions.services.lines import matching_rules
from relais.commissions.tests.conftest import active_plan, won_lead
from relais.core.errors import DomainError
from relais.core.models import AuditEntry
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

PERCENT = {
    "name": "Apport gagné",
    "trigger": "won",
    "beneficiary": "introducer",
    "formula": "percent",
    "rate": "5",
    "tier_basis": "amount",
    "period": "year",
    "valid_from": "2026-01-01",
}


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def test_a_manager_writes_and_activates_a_plan_without_the_admin(client, manager):
    client.force_login(manager)
    home = client.get("/commissions/").content.decode()
    assert 'href="/commissions/plans/"' in home  # the menu's entry
    plans = client.get("/commissions/plans/").content.decode()
    assert "/admin/" not in plans
    assert 'href="/commissions/plans/new/"' in plans
    created = client.post("/commissions/plans/new/", {"name": "Programme 2027"})
    plan = Plan.objects.get(name="Programme 2027")
    assert created["Location"] == f"/commissions/plans/{plan.pk}/"
    assert plan.status == "draft"
    page = client.get(f"/commissions/plans/{plan.pk}/").content.decode()
    assert "/admin/" not in page
    assert f'href="/commissions/plans/{plan.pk}/rules/new/"' in page
    # A percentage without its rate: refused, the field named.
    refused = client.post(f"/commissions/plans/{plan.pk}/rules/new/", {**PERCENT, "rate": ""})
    assert refused.status_code == 422
    assert refused.context["form"].errors["rate"] == ["A rate is required for a percentage."]
    assert not plan.rules.exists()
    client.post(f"/commissions/plans/{plan.pk}/rules/new/", PERCENT)
    rule = plan.rules.get()
    assert (rule.code, rule.rate, rule.valid_from) == ("apport-gagne", Decimal(5), date(2026, 1, 1))
    client.post(
        f"/commissions/plans/{plan.pk}/rules/{rule.pk}/",
        {**PERCENT, "rate": "7,5", "valid_from": "2026-01-01"},
        headers={"accept-language": "fr"},
    )  # a French decimal comma, in French
    rule.refresh_from_db()
    assert rule.rate == Decimal("7.5")
    simulated = client.get(
        f"/commissions/plans/{plan.pk}/", {"start": "2026-01-01", "end": "2026-06-30"}
    )
    assert simulated.context["result"].lines == 0
    client.post(f"/commissions/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.status == "active"
    actions = set(AuditEntry.objects.filter(subject_id=plan.pk).values_list("action", flat=True))
    assert {"created", "rule_created", "rule_updated", "activated"} <= actions


def test_each_refusal_names_its_field(client, manager):
    plan = editing.plan_create(name="Brouillon", actor=manager)
    client.force_login(manager)
    url = f"/commissions/plans/{plan.pk}/rules/new/"
    tiers = client.post(url, {**PERCENT, "formula": "progressive", "tiers": "0: 5\nbeaucoup"})
    assert tiers.context["form"].errors["tiers"] == [
        "Line 2: write “from: rate”, for instance “10000: 7”."
    ]
    going_down = client.post(url, {**PERCENT, "formula": "progressive", "tiers": "0: 5\n0: 7"})
    assert going_down.context["form"].errors["tiers"] == ["Tier thresholds must go up."]
    qualified = client.post(url, {**PERCENT, "trigger": "qualified"})
    assert qualified.context["form"].errors["trigger"] == [
        "A qualified lead has no amount: use a fixed amount."
    ]
    dates = client.post(url, {**PERCENT, "valid_until": "2025-12-31"})
    assert dates.context["form"].errors["valid_until"] == ["Ends before it starts."]
    nobody = client.post(url, {**PERCENT, "partner": "no-such-code"})
    assert nobody.context["form"].errors["partner"] == [
        "No partner has this referral code or SIREN."
    ]
    client.post(url, PERCENT)
    again = client.post(url, PERCENT)
    assert again.context["form"].errors["code"] == ["Already used in this plan."]
    assert plan.rules.count() == 1


def test_an_active_plan_is_never_edited_in_place(client, manager):
    plan = active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(5)})
    rule = plan.rules.get()
    client.force_login(manager)
    client.post(f"/commissions/plans/{plan.pk}/rules/{rule.pk}/", {**PERCENT, "rate": "9"})
    client.post(f"/commissions/plans/{plan.pk}/rules/new/", PERCENT)
    client.post(f"/commissions/plans/{plan.pk}/rules/{rule.pk}/delete/")
    assert list(plan.rules.values_list("rate", flat=True)) == [Decimal(5)]
    with pytest.raises(DomainError) as error:
        editing.rule_update(rule=rule, fields={"rate": Decimal(9)}, actor=manager)
    assert error.value.code == "not_draft"


def test_a_new_version_from_a_date_is_drafted_simulated_then_follows_the_active_rules(
    client, manager
):
    introducer = PartnerFactory()
    plan = active_plan(
        manager,
        {"code": "gagne", "trigger": "won", "formula": "percent", "rate": Decimal(5)},
        {
            "code": "bonus-ete",
            "trigger": "won",
            "formula": "fixed",
            "amount": Decimal(50),
            "partner_kind": "reseller",
            "beneficiary": "reseller",
        },
    )
    won_lead(introducer, manager, "1000", number=1, day=TODAY - timedelta(days=3))
    starts = TODAY + timedelta(days=10)
    client.force_login(manager)
    page = client.get(f"/commissions/plans/{plan.pk}/").content.decode()
    assert f'action="/commissions/plans/{plan.pk}/version/"' in page
    answer = client.post(f"/commissions/plans/{plan.pk}/version/", {"starts_on": starts})
    draft = Plan.objects.get(replaces=plan)
    assert answer["Location"] == f"/commissions/plans/{draft.pk}/"
    assert (draft.status, draft.starts_on) == ("draft", starts)
    assert sorted(draft.rules.values_list("code", "valid_from")) == [
        ("bonus-ete", starts),
        ("gagne", starts),
    ]
    # Change the rate, drop the summer bonus, add a qualified-lead reward.
    gagne = draft.rules.get(code="gagne")
    fields = {**PERCENT, "name": gagne.name, "rate": "6"}
    del fields["valid_from"]  # the version's date, fixed
    client.post(f"/commissions/plans/{draft.pk}/rules/{gagne.pk}/", fields)
    client.post(
        f"/commissions/plans/{draft.pk}/rules/{draft.rules.get(code='bonus-ete').pk}/delete/"
    )
    client.post(
        f"/commissions/plans/{draft.pk}/rules/new/",
        {
            "name": "Lead qualifié",
            "trigger": "qualified",
            "beneficiary": "introducer",
            "formula": "fixed",
            "amount": "10",
            "tier_basis": "amount",
            "period": "year",
        },
    )
    # Tried on the past weeks as if in force, beside the rules it replaces.
    since = (TODAY - timedelta(days=30)).isoformat()
    tried = client.get(f"/commissions/plans/{draft.pk}/", {"start": since, "end": TODAY})
    assert tried.context["result"].total == Decimal("70.00")  # 6 % of 1,000 + 10 qualified
    assert tried.context["compared"].total == Decimal("50.00")  # 5 % of 1,000
    assert "The rules it replaces: 1 lines" in tried.content.decode()
    client.post(f"/commissions/plans/{draft.pk}/")
    assert not Plan.objects.filter(pk=draft.pk).exists()  # merged into the active plan
    plan.refresh_from_db()
    assert plan.status == "active"
    rules = {(r.code, r.version): r for r in plan.rules.all()}
    assert rules["gagne", 1].valid_until == starts - timedelta(days=1)
    assert (rules["gagne", 2].rate, rules["gagne", 2].valid_from) == (Decimal(6), starts)
    assert rules["bonus-ete", 1].valid_until == starts - timedelta(days=1)
    assert rules["lead-qualifie", 1].valid_from == starts
    # The engine: the old rate until the day before, the new one from the date.
    lead = won_lead(introducer, manager, "2000", number=2)
    active = list(plan.rules.all())
    before = matching_rules(introducer, lead, "won", "introducer", starts - timedelta(1), active)
    after = matching_rules(introducer, lead, "won", "introducer", starts, active)
    assert (before[0].rate, after[0].rate) == (Decimal(5), Decimal(6))
    assert AuditEntry.objects.filter(subject_id=plan.pk, action="version_activated").exists()


def test_a_version_starts_today_or_later(manager):
    plan = active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(5)})
    with pytest.raises(DomainError) as error:
        editing.plan_new_version(plan=plan, starts_on=TODAY - timedelta(days=1), actor=manager)
    assert "starts_on" in error.value.fields
    draft = editing.plan_new_version(plan=plan, starts_on=TODAY, actor=manager)
    with pytest.raises(DomainError):  # a draft gets no version: it is edited as it is
        editing.plan_new_version(plan=draft, starts_on=TODAY, actor=manager)
    editing.plan_discard(plan=draft, actor=manager)
    assert list(Plan.objects.all()) == [plan]


def test_the_admin_stays_for_administrators(client, manager, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get("/admin/commissions/plan/").status_code == 200
    client.force_login(manager)
    assert client.get("/admin/commissions/plan/").status_code == 302  # to the admin's login
    page = client.get("/commissions/plans/").content.decode()
    assert not re.search(r'href="/admin/', page)
