"""The norms as a reseller and a manager read them: the closure rate's norm is a range (50–60 %),
so closing every lead is off the norm too, and each norm is written in the page's language."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.routing import services
from relais.routing.norms import norms
from relais.routing.tests.conftest import make_qualified, make_reseller

NN = "\u202f"  # CLDR French: before the percent sign


def test_the_closure_norm_is_green_inside_its_range_only():
    closure = norms()["closure_rate"]
    assert [closure.light(v) for v in (0.30, 0.40, 0.50, 0.55, 0.60)] == [
        "red",
        "amber",
        "green",
        "green",
        "green",
    ]
    assert [closure.light(v) for v in (0.65, 0.75, 0.80, 1.0)] == ["amber", "amber", "red", "red"]
    assert norms()["open_rate"].light(1.0) == "green"  # a floor only: there is no too much


@pytest.mark.django_db
def test_a_reseller_closing_every_lead_sees_the_closure_norm_as_a_range_and_off_it(client, manager):
    reseller = make_reseller(("69",), with_user=True)
    for n in range(5):
        lead = make_qualified(manager, n)
        services.lead_route(lead_id=lead.pk, now=timezone.now() - timedelta(days=30))
        services.assignment_open(lead=lead, reseller=reseller, actor=None)
        services.assignee_declare(lead=lead, reseller=reseller, to="won", amount=1000, actor=None)
    client.force_login(reseller.members.get().user)
    response = client.get("/portal/performance/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.context["mine"].closure_rate == 1.0
    page = response.content.decode()
    row = page[page.index('data-kpi="closure_rate"') :].split("</tr>")[0]
    assert f"50–60{NN}%" in row
    assert f"100{NN}%" in row
    assert "light-red" in row
    assert "light-green" not in row
    opened = page[page.index('data-kpi="open_rate"') :].split("</tr>")[0]
    assert f"≥\u00a090{NN}%" in opened  # beside "100 %": one way to write a percentage


@pytest.mark.django_db
def test_the_kpi_table_names_each_norm_in_the_managers_language(client, manager):
    client.force_login(manager)
    page = client.get("/routing/kpis/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'title="50–60%"' in page
    assert 'title="≥\u00a090%"' in page
    assert 'title="≥\u00a010"' in page
