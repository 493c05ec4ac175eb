"""The dashboard's monthly NPS of the customers: the months with answers, a gap (never 0) for
those without, the place filter followed, the others said not to apply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.core.models import Departement
from relais.surveys.answers import answer_record
from relais.surveys.tests.helpers import customer, sent_survey

pytestmark = pytest.mark.django_db


def answer(n: int, score: int, *, code: str = "69", months_ago: int = 0) -> None:
    postcode = {"69": "69003", "75": "75011"}[code]
    who = customer(n, postcode=postcode, departement=Departement.objects.get(code=code))
    when = timezone.now()
    if months_ago == 2:  # the 1st of this month less 35 days: the month before the last
        when = when.replace(day=1) - timedelta(days=35)
    answer_record(request_id=sent_survey(who, at=when).pk, score=score, now=when)


@pytest.fixture
def answers():
    answer(1, 10)
    answer(2, 9)
    answer(3, 2)  # this month in the Rhône: 2 promoters, 1 detractor → 33
    answer(4, 8, code="75")  # and a passive in Paris: 25 over the network
    answer(5, 5, code="75", months_ago=2)  # two months ago, Paris only: −100


def nps_chart(client, query: str = ""):
    page = client.get(f"/dashboard/{query}", headers={"accept-language": "en"})
    return {c.key: c for c in page.context["charts"]}["nps"], page.content.decode()


def test_the_dashboard_shows_the_monthly_nps_with_gaps_where_nobody_answered(
    client, manager, answers
):
    client.force_login(manager)
    chart, page = nps_chart(client)
    values = list(chart.series[0].values)
    assert values[-1] == 25
    assert values[-3] == -100
    assert values[-2] is None  # no answer: no NPS, not 0
    assert values[:-3] == [None] * 9
    assert chart.title == "Customers' NPS by month"
    figure = page[page.index('id="chart-nps"') :].split("</figure>")[0]
    assert figure.count("<polyline") == 2  # the gap breaks the line
    assert '<td class="num">—</td>' in figure
    assert '<td class="num">-100</td>' in figure or '<td class="num">−100</td>' in figure


def test_the_chart_follows_the_place_filter_and_says_when_a_filter_cannot_apply(
    client, manager, answers
):
    client.force_login(manager)
    rhone, _page = nps_chart(client, "?departement=69")
    assert rhone.series[0].values[-1] == 33
    assert rhone.series[0].values[-3] is None
    kind, _page = nps_chart(client, "?partner_kind=reseller")
    assert kind.series[0].values[-1] == 25
    assert "the filters do not apply" in kind.title


def test_with_no_answer_at_all_the_chart_says_nothing_in_this_period(client, manager):
    client.force_login(manager)
    chart, page = nps_chart(client)
    assert chart.empty
    figure = page[page.index('id="chart-nps"') :].split("</figure>")[0]
    assert "Nothing in this period." in figure
