"""The dashboard's charts and the map, on a small known world: the figures, their links, the
filters."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from relais.leads.services import lead_submit, lead_transition
from relais.reporting.charts import Chart, Series
from relais.routing.services import assignment_create, assignment_open
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _lead(n: int, postcode: str, channel: str = "staff", **kwargs: object):
    return lead_submit(
        data={"last_name": f"D{n}", "phone": f"06123456{n:02d}", "postcode": postcode, **kwargs},
        channel=channel,
    )


def _win(lead, manager, reseller, amount: int):
    lead = lead_transition(lead=lead, to="qualified", actor=manager)
    assignment_create(lead=lead, actor=manager, reason="Near", reseller=reseller)
    lead.refresh_from_db()
    assignment_open(lead=lead, actor=None, reseller=reseller)
    lead.refresh_from_db()
    return lead_transition(
        lead=lead, to="won", actor=manager, amount=Decimal(amount), won_date=timezone.localdate()
    )


@pytest.fixture
def world(manager):
    """Three leads in the Rhône (two won by a reseller there), one in Paris, one by API."""
    reseller = PartnerFactory(reseller=True, departement_id="69")
    leads = [_lead(n, "69003") for n in range(3)] + [_lead(3, "75011"), _lead(4, "75011", "api")]
    _win(leads[0], manager, reseller, 1000)
    _win(leads[1], manager, reseller, 500)
    return reseller


def _charts(client, query: str = "") -> dict[str, Chart]:
    response = client.get(f"/dashboard/{query}")
    return {c.key: c for c in response.context["charts"]}


def _this_month(chart: Chart, channel: str = "") -> tuple[object, str]:
    """This month's figure and link, of the channel's series (found by the channel its links
    filter on: the names are in the page's language), or of the chart's only series."""
    found = [s for s in chart.series if f"channel={channel}" in "".join(s.links)]
    s = found[0] if channel else chart.series[0]
    return s.values[-1], s.links[-1]


def test_charts_count_the_months_leads_by_channel_and_step(client, manager, world):
    client.force_login(manager)
    charts = _charts(client)
    assert _this_month(charts["leads-channel"], "staff")[0] == 4
    assert _this_month(charts["leads-channel"], "api")[0] == 1
    # Submitted, qualified, assigned, opened, won.
    assert charts["funnel"].series[0].values == [5, 2, 2, 2, 2]
    assert _this_month(charts["revenue"])[0] == Decimal(1500)
    top = charts["top-resellers"]
    assert (top.categories, top.series[0].values) == ([world.company_name], [Decimal(1500)])


def test_each_figures_link_lists_as_many_leads(client, manager, world):
    client.force_login(manager)
    charts = _charts(client)
    for value, link in (
        _this_month(charts["leads-channel"], "staff"),
        _this_month(charts["leads-channel"], "api"),
        _this_month(charts["revenue"]),
        *zip(charts["funnel"].series[0].values, charts["funnel"].series[0].links, strict=True),
    ):
        if not link:
            continue
        page = client.get(link).context["page"]
        expected = value if not isinstance(value, Decimal) else 2  # revenue: the won leads
        assert page.paginator.count == expected, link


def test_a_filter_changes_the_figures_and_the_links_keep_it(client, manager, world):
    client.force_login(manager)
    charts = _charts(client, "?departement=69")
    assert _this_month(charts["leads-channel"], "staff")[0] == 3
    assert len(charts["leads-channel"].series) == 1  # no API lead in the Rhône
    _value, link = _this_month(charts["leads-channel"], "staff")
    assert "departement=69" in link
    assert client.get(link).context["page"].paginator.count == 3
    charts = _charts(client, "?region=Auvergne-Rh%C3%B4ne-Alpes")
    (staff,) = charts["leads-channel"].series
    assert staff.values[-1] == 3
    assert client.get(staff.links[-1]).context["page"].paginator.count == 3


LEAD_CHARTS = ("leads-channel", "leads-year", "funnel", "revenue", "top-introducers")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?region=Auvergne-Rh%C3%B4ne-Alpes",
        "?product={pac}",
        "?partner_kind=introducer",
        "?region=Auvergne-Rh%C3%B4ne-Alpes&product={pac}",
        "?departement=75&partner_kind=introducer",
    ],
)
def test_every_figure_links_to_exactly_its_rows(client, manager, world, query):
    """Under the région, product and partner-kind filters too, a figure's link lists as many
    leads as it counts (an amount: the listed leads' amounts add up to it)."""
    from django.db.models import Sum

    from relais.leads.models import ProductCategory

    pac = ProductCategory.objects.create(code="PAC", name="Pompe à chaleur")
    introducer = PartnerFactory(departement_id="69")
    _lead(10, "69001", category="PAC")
    _lead(11, "69002", category="PAC")
    lead_submit(
        data={"last_name": "I1", "phone": "0612345670", "postcode": "69007", "category": "PAC"},
        channel="portal",
        partner=introducer,
    )
    lead_submit(
        data={"last_name": "I2", "phone": "0612345671", "postcode": "75012"},
        channel="portal",
        partner=introducer,
    )
    client.force_login(manager)
    charts = _charts(client, query.format(pac=pac.pk))
    followed = 0
    for key in LEAD_CHARTS:
        for series in charts[key].series:
            for value, link in zip(series.values, series.links, strict=True):
                assert link, (key, series.name)
                if not value and followed > 8:
                    continue  # the empty months: a few are enough
                rows = client.get(link).context["page"].paginator.object_list
                if isinstance(value, Decimal):
                    assert (rows.aggregate(s=Sum("won_amount"))["s"] or 0) == value, link
                else:
                    assert rows.count() == value, (key, link)
                followed += 1
    assert followed > 10
    assert sum(charts["funnel"].series[0].values) > 0
    mapped = f"/dashboard/map/?measure=leads&{query.format(pac=pac.pk).lstrip('?')}"
    cells = client.get(mapped).context["map"]
    for cell in cells.rows:
        if cell.value:
            assert client.get(cell.url).context["page"].paginator.count == cell.value, cell.url


def test_an_htmx_filter_returns_the_figures_alone(client, manager, world):
    client.force_login(manager)
    response = client.get("/dashboard/?departement=75", headers={"HX-Request": "true"})
    html = response.content.decode()
    # The figures, and the out-of-band "Schedule this view" link carrying the new filters.
    assert '<div id="dashboard-figures"' in html
    assert "<html" not in html
    assert "<svg" in html
    assert 'id="decisions"' not in html


def test_a_chart_is_svg_with_hover_values_and_a_table():
    chart = Chart(
        "c", "Leads <&>", "bars", ["Jan", "Feb"], [Series("A", [3, 0], ["/x?a=1&b=2", ""])]
    )
    svg = str(chart.svg())
    assert "<title>A · Jan: 3</title>" in svg
    assert '<a href="/x?a=1&amp;b=2">' in svg
    assert "Leads &lt;&amp;&gt;" in svg
    assert chart.rows() == [("Jan", [("3", "/x?a=1&b=2")]), ("Feb", [("0", "")])]


def test_the_map_draws_101_departements_with_their_figures(client, manager, world):
    client.force_login(manager)
    response = client.get("/dashboard/map/?measure=leads")
    html = response.content.decode()
    assert len(re.findall(r"<path d=", html)) == 101
    cells = {c.code: c for c in response.context["map"].rows}
    assert len(cells) == 101
    assert (cells["69"].value, cells["75"].value, cells["13"].value) == (3, 2, 0)
    assert "<title>69 Rhône: 3</title>" in unescape(html)
    assert client.get(cells["69"].url).context["page"].paginator.count == 3
    assert "IGN" in html


def test_the_map_counts_resellers_against_the_norm(client, manager, world):
    client.force_login(manager)
    cells = {c.code: c for c in client.get("/dashboard/map/").context["map"].rows}
    assert cells["69"].value == 1
    assert cells["13"].value == 0
    per = client.get("/dashboard/map/?measure=per_reseller").context["map"].rows
    assert {c.code: c.value for c in per}["69"] == 3


def test_the_period_filter_moves_the_months(client, manager, world):
    client.force_login(manager)
    last_year = str(timezone.localdate().year - 1)
    charts = _charts(client, f"?period={last_year}")
    assert len(charts["leads-channel"].categories) == 12
    assert charts["funnel"].series[0].values[0] == 0


def test_resellers_off_a_norm_are_an_alert_leading_to_the_kpis(client, manager, world):
    # The world's reseller closed both its leads (100 %, beyond the 75 % the range allows);
    # this one never opened its lead (0 %); a third within every norm is not counted.
    idle = PartnerFactory(reseller=True, departement_id="13")
    lead = lead_transition(lead=_lead(9, "13001"), to="qualified", actor=manager)
    assignment_create(lead=lead, actor=manager, reason="Near", reseller=idle)
    client.force_login(manager)
    decisions = {d.key: d for d in client.get("/dashboard/").context["decisions"]}
    assert decisions["below_norm"].count == 2
    assert client.get(decisions["below_norm"].url).status_code == 200
