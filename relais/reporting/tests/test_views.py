import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_the_network(client, manager):
    covered = PartnerFactory(reseller=True)
    covered.served_departements.set(["69", "01"])
    PartnerFactory(reseller=True, status="paused").served_departements.set(["75"])
    PartnerFactory.create_batch(2)
    PartnerFactory(status="candidate")
    PartnerFactory(reseller=True, status="candidate")  # candidates of either kind
    client.force_login(manager)
    summary = client.get("/dashboard/").context["summary"]
    assert summary.active_resellers == 1
    assert summary.active_introducers == 2
    assert summary.candidates == 2
    assert (summary.departements_covered, summary.departements_total) == (2, 101)


def test_dashboard_query_count_does_not_grow_with_the_network(client, manager):
    client.force_login(manager)
    client.get("/dashboard/")  # the lead months' sums, kept for the next views
    with CaptureQueriesContext(connection) as small:
        client.get("/dashboard/")
    for _ in range(20):
        PartnerFactory(reseller=True).served_departements.set(["13"])
    with CaptureQueriesContext(connection) as large:
        client.get("/dashboard/")
    assert len(large) == len(small)


def test_dashboard_shows_the_years_leads_by_outcome(client, manager):
    from decimal import Decimal

    from django.utils import timezone

    from relais.leads.lifecycle import lead_assign
    from relais.leads.services import lead_submit, lead_transition

    reseller = PartnerFactory(reseller=True)

    for n, outcome in enumerate(("won", "won", "lost", None)):
        lead = lead_submit(
            data={"last_name": f"D{n}", "phone": f"061234560{n}", "postcode": "69003"},
            channel="staff",
        )
        if outcome:
            lead = lead_transition(lead=lead, to="qualified", actor=manager)
            lead = lead_assign(
                lead=lead,
                actor=manager,
                reseller=reseller,
                salesperson=None,
                note="",
                at=timezone.now(),
            )
            lead = lead_transition(lead=lead, to="opened", actor=manager)
            lead_transition(
                lead=lead,
                to=outcome,
                actor=manager,
                amount=Decimal(1000),
                won_date=__import__("datetime").date.today(),
                lost_reason="Trop cher",
            )
    client.force_login(manager)
    leads = client.get("/dashboard/").context["leads"]
    assert (leads.submitted, leads.by_status["won"], leads.won_amount) == (4, 2, Decimal(2000))
    assert leads.conversion == 2 / 3
