"""Shared test data: a challenge, and leads an introducer brings and wins."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from relais.accounts.choices import Role
from relais.challenges.models import Challenge
from relais.leads.lifecycle import lead_assign
from relais.leads.services import lead_submit, lead_transition
from relais.testing.factories import UserFactory

_numbers = count(1)


def challenge(**fields) -> Challenge:
    today = timezone.localdate()
    values = {
        "name": "Printemps des apporteurs",
        "theme": "Printemps",
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=29),
        "metric": "won",
        **fields,
    }
    return Challenge.objects.create(**values)


def submitted(partner):
    return lead_submit(
        data={"last_name": "Client", "phone": f"0633{next(_numbers):06d}", "postcode": "69003"},
        channel="portal",
        partner=partner,
    )


def won(partner, manager, amount="1000"):
    lead = lead_transition(lead=submitted(partner), to="qualified", actor=manager)
    lead = lead_assign(
        lead=lead,
        actor=manager,
        reseller=None,
        salesperson=UserFactory(role=Role.SALESPERSON),
        note="",
        at=timezone.now(),
    )
    lead = lead_transition(lead=lead, to="opened", actor=manager)
    return lead_transition(
        lead=lead, to="won", actor=manager, amount=Decimal(amount), won_date=date.today()
    )
