"""Long lists show a total without counting every row on every page: exact up to a bound, then
shared for a minute; short (filtered) lists stay exact."""

import time

import pytest
from django.core.cache import cache

from relais.core import counting
from relais.leads import services
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
real_time = time.time


def add(n: int, postcode: str = "69003") -> None:
    partner = PartnerFactory()
    for i in range(n):
        services.lead_submit(
            data={
                "last_name": f"P{postcode}{i}",
                "phone": f"061{postcode}{i:02d}",
                "postcode": postcode,
            },
            channel="api",
            partner=partner,
        )


def test_a_long_list_total_is_shared_for_a_while_and_a_short_one_is_exact(
    api_client, manager, client, monkeypatch
):
    monkeypatch.setattr(counting, "EXACT_UP_TO", 5)
    add(7)
    api = api_client(manager)
    client.force_login(manager)
    assert api.get("/api/v1/leads").json()["count"] == 7
    assert client.get("/leads/").context["page"].paginator.count == 7
    add(2, postcode="13008")
    # Above the bound: the total of a moment ago, for the API and the page alike…
    assert api.get("/api/v1/leads").json()["count"] == 7
    assert client.get("/leads/").context["page"].paginator.count == 7
    # …while a filtered list under the bound is exact, and its rows are always current.
    assert api.get("/api/v1/leads?departement=13").json()["count"] == 2
    assert len(api.get("/api/v1/leads?page_size=100").json()["items"]) == 9
    # The minute has passed: while someone else recounts, the count of a minute ago; then the
    # next asker recounts it.
    monkeypatch.setattr(counting.time, "time", lambda: real_time() + 61)
    with monkeypatch.context() as busy:
        busy.setattr(cache, "add", lambda *args, **kwargs: False)  # the recount's lock is taken
        assert api.get("/api/v1/leads").json()["count"] == 7
    assert api.get("/api/v1/leads").json()["count"] == 9
    assert client.get("/leads/").context["page"].paginator.count == 9
