"""What the surveys tests share: a won lead, a customer, a survey sent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from relais.accounts.choices import Role
from relais.core.models import Departement
from relais.leads.lifecycle import lead_assign
from relais.leads.services import lead_submit, lead_transition
from relais.surveys.choices import CustomerSource, SendState
from relais.surveys.models import Customer, SurveyRequest
from relais.testing.factories import PartnerFactory, UserFactory


def won_lead(manager, *, reseller=None, number=0, **data):
    lead = lead_submit(
        data={
            "first_name": "Camille",
            "last_name": f"Client {number}",
            "email": f"client{number}@orange.fr",
            "phone": f"0622{number:06d}",
            "postcode": "69003",
            **data,
        },
        channel="portal",
        partner=PartnerFactory(),
    )
    lead = lead_transition(lead=lead, to="qualified", actor=manager)
    lead = lead_assign(
        lead=lead,
        actor=manager,
        reseller=reseller,
        salesperson=None if reseller else UserFactory(role=Role.SALESPERSON),
        note="",
        at=timezone.now(),
    )
    lead = lead_transition(lead=lead, to="opened", actor=manager)
    return lead_transition(
        lead=lead, to="won", actor=manager, amount=Decimal(1000), won_date=date.today()
    )


def customer(number=0, **fields):
    values = {
        "first_name": "Camille",
        "last_name": f"Martin {number}",
        "email": f"camille{number}@orange.fr",
        "postcode": "69003",
        "departement": Departement.objects.get(code="69"),
        "source": CustomerSource.IMPORT,
        **fields,
    }
    return Customer.objects.create(**values)


def sent_survey(who=None, *, at=None, occasion="test"):
    at = at or timezone.now()
    return SurveyRequest.objects.create(
        customer=who or customer(),
        occasion=occasion,
        created_at=at,
        state=SendState.SENT,
        sent_at=at,
    )
