"""The partners' charts in the portal, drawn by the dashboard's chart definitions: an
introducer's leads by month and what became of them, its earnings by month, a reseller's rates
by month against the network's and the norm's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.commissions.tests.conftest import payable_line
from relais.core.charts import last_months
from relais.leads.services import lead_submit, lead_transition
from relais.routing import services
from relais.routing.norms import norms
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.routing.tests.test_views import login, reseller_year
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def test_an_introducer_sees_its_leads_by_month_and_its_earnings(client, manager):
    partner = PartnerFactory()
    for n in range(3):
        lead = lead_submit(
            data={"last_name": f"L{n}", "phone": f"061234567{n}", "postcode": "69003"},
            channel="portal",
            partner=partner,
        )
        if n == 0:
            lead_transition(lead=lead, to="qualified", actor=manager)
    payable_line(partner, "80.00")
    client.force_login(partner_user(partner))
    response = client.get("/portal/leads/")
    chart = response.context["chart"]
    passed, qualified, won = chart.series
    assert (passed.values[-1], qualified.values[-1], won.values[-1]) == (3, 1, 0)
    assert 'id="chart-my-leads"' in response.content.decode()
    assert "<svg" in response.content.decode()
    earned, paid = client.get("/portal/earnings/").context["chart"].series
    assert (earned.values[-1], paid.values[-1]) == (80, 0)


def test_a_reseller_sees_its_rates_by_month_against_the_network_and_the_norm(client, manager):
    mine = make_reseller(("69",), with_user=True)
    reseller_year(manager, mine, opened=2, won=0, total=4)
    other = make_reseller(("13",))
    for n in range(4):
        lead = make_qualified(manager, 60 + n, postcode="13001")
        services.lead_route(lead_id=lead.pk, now=timezone.now() - timedelta(days=60))
    login(client, mine)
    response = client.get("/portal/performance/")
    charts = {c.key: c for c in response.context["charts"]}
    assert set(charts) == {"my-open-rate", "my-treatment-rate", "my-closure-rate"}
    me, network, norm = charts["my-open-rate"].series
    month = timezone.localdate(timezone.now() - timedelta(days=60)).replace(day=1)
    i = last_months().index(month)
    assert (me.values[i], network.values[i]) == (0.5, 0.25)
    assert me.values[-1] is None  # no lead this month: a gap, not a zero
    assert set(norm.values) == {norms()["open_rate"].target}
    assert other.company_name not in response.content.decode()
