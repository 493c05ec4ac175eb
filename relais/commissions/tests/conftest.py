from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.accounts.choices import Role
from relais.commissions.models import Plan, Rule
from relais.commissions.services.rules import plan_activate
from relais.leads.lifecycle import lead_assign
from relais.leads.services import lead_submit, lead_transition
from relais.testing.factories import PartnerFactory, UserFactory


def won_lead(partner, manager, amount, number=0, reseller=None, day=None, **data):
    lead = lead_submit(
        data={
            "last_name": f"Client {number}",
            "phone": f"0622{number:06d}",
            "postcode": "69003",
            **data,
        },
        channel="portal",
        partner=partner,
    )
    lead = lead_transition(lead=lead, to="qualified", actor=manager)
    # Given to the reseller (as the router would), or else to one of our salespeople: a deal
    # with no reseller pays no reseller's commission.
    lead = lead_assign(
        lead=lead,
        actor=manager,
        reseller=reseller,
        salesperson=None if reseller else UserFactory(role=Role.SALESPERSON),
        note="",
        at=timezone.now(),
    )
    lead = lead_transition(lead=lead, to="opened", actor=manager)
    lead = lead_transition(
        lead=lead, to="won", actor=manager, amount=Decimal(amount), won_date=day or date.today()
    )
    return lead


def active_plan(manager, *rules, name="Plan 2026"):
    plan = Plan.objects.create(name=name)
    for n, fields in enumerate(rules):
        Rule.objects.create(
            plan=plan,
            code=fields.pop("code", f"r{n}"),
            name=fields.pop("name", f"Règle {n}"),
            valid_from=fields.pop("valid_from", date(2020, 1, 1)),
            **fields,
        )
    return plan_activate(plan=plan, actor=manager)


@pytest.fixture
def introducer():
    return PartnerFactory()


VALID_IBAN = "FR1420041010050500013M02606"


def signed_partner(*, mandate=True, **fields):
    """A partner who signed every required document (and the self-billing mandate if asked)."""
    from relais.partners import services
    from relais.partners.choices import DocumentKind
    from relais.testing.factories import partner_user

    fields.setdefault("iban", VALID_IBAN)
    partner = PartnerFactory(**fields)
    user = partner_user(partner)
    for state in services.documents_for(partner):
        if state.required or (mandate and state.template.kind == DocumentKind.SELF_BILLING_MANDATE):
            services.signature_sign(
                partner=partner, template=state.template, user=user, ip=None, user_agent="test"
            )
    return partner


def payable_line(partner, amount, day=None, number=[0]):  # noqa: B006 - a counter across calls
    """A payable commission line, as the approval workflow leaves it."""
    from relais.commissions.models import CommissionLine

    number[0] += 1
    plan = Plan.objects.filter(name="Paiements").first() or Plan.objects.create(
        name="Paiements", status="active"
    )
    rule = plan.rules.first() or Rule.objects.create(
        plan=plan,
        code="fixe",
        name="Fixe",
        trigger="won",
        formula="fixed",
        amount=Decimal(1),
        valid_from=date(2020, 1, 1),
    )
    return CommissionLine.objects.create(
        partner=partner,
        rule=rule,
        event_key=f"test:{number[0]}",
        kind="commission",
        amount=Decimal(amount),
        earned_on=day or date.today(),
        status="payable",
    )
