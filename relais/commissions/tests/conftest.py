from datetime import date
from decimal import Decimal

import pytest

from relais.commissions.models import Plan, Rule
from relais.commissions.services.rules import plan_activate
from relais.leads.services import lead_submit, lead_transition
from relais.testing.factories import PartnerFactory


def won_lead(partner, manager, amount, number=0, reseller=None, day=None, **data):
    lead = lead_submit(
        data={"last_name": f"Client {number}", "phone": f"0622{number:06d}", "postcode": "69003",
              **data},
        channel="portal",
        partner=partner,
    )  # fmt: skip
    for step in ("qualified", "assigned", "opened"):
        lead = lead_transition(lead=lead, to=step, actor=manager)
    if reseller is not None:
        type(lead).objects.filter(pk=lead.pk).update(assigned_reseller=reseller)
    lead = lead_transition(
        lead=lead, to="won", actor=manager, amount=Decimal(amount), won_date=day or date.today()
    )
    return lead


def active_plan(manager, *rules, name="Plan 2026"):
    plan = Plan.objects.create(name=name)
    for n, fields in enumerate(rules):
        Rule.objects.create(
            plan=plan, code=fields.pop("code", f"r{n}"), name=fields.pop("name", f"Règle {n}"),
            valid_from=fields.pop("valid_from", date(2020, 1, 1)), **fields,
        )  # fmt: skip
    return plan_activate(plan=plan, actor=manager)


@pytest.fixture
def introducer():
    return PartnerFactory()
