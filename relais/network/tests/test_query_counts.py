"""The search page and the account page read the database a fixed number of times, however many
people and relationships they show (the bench's figures rest on it), and the search finds people
by the start of their name beside the companies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.network import selectors
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db

# Session and user (2), the sharing switch (2: teams on, teams off), the matching accounts, the
# people whose name starts with the text, the ranked relationships with owner, person and
# account (1 join). The départements and sectors lists are cached.
SEARCH_QUERIES = 7
# Session and user (2), the account, its people, the sharing switch (2), the visible
# relationships with their owners, the matching leads.
MAP_QUERIES = 8


def _queries(client, url, data=None) -> list[str]:
    client.get(url, data)  # warm the caches (départements, sectors), as a running server has
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("people", [1, 12])
def test_the_search_page_reads_the_same_few_queries_for_one_hit_or_many(client, people):
    acme = account("Acme Industrie", sector="Chimie")
    owners = [seller() for _ in range(3)]
    for n in range(people):
        knows(owners[n % 3], contact(acme, f"Durand{n}"), visibility="shared", strength=4)
    client.force_login(seller())
    queries = _queries(client, reverse("network:search"), {"q": "acme"})
    assert len(queries) == SEARCH_QUERIES, "\n".join(queries)
    page = client.get(reverse("network:search"), {"q": "acme"}).content.decode()
    assert all(f"Durand{n}" in page for n in range(people))


@pytest.mark.parametrize("people", [1, 12])
def test_the_account_page_reads_the_same_few_queries_for_one_person_or_many(client, people):
    acme = account("Acme Industrie", sector="Chimie")
    owners = [seller() for _ in range(3)]
    for n in range(people):
        knows(owners[n % 3], contact(acme, f"Durand{n}"), visibility="shared", strength=4)
    client.force_login(seller())
    queries = _queries(client, reverse("network:account", args=[acme.pk]))
    assert len(queries) == MAP_QUERIES, "\n".join(queries)


def test_a_person_is_found_by_the_start_of_their_name_beside_a_company_holding_it():
    claire = contact(account("Durand Conseil"), "Martin", first_name="Claire")
    durand = contact(account("Acme Industrie"), "Durand", first_name="Claire")
    bob = seller()
    knows(bob, claire, visibility="shared")
    knows(bob, durand, visibility="shared")
    found = {h.contact.pk for h in selectors.who_knows(user=bob, text="Claire Durand")}
    assert found == {durand.pk}
    # "Durand": the company Durand Conseil and the person Claire Durand whose name holds it
    # further on are not both prefixes: the company answers.
    assert {h.contact.pk for h in selectors.who_knows(user=bob, text="durand")} == {claire.pk}
    # "Claire": no company holds it; both people's names start with it.
    assert {h.contact.pk for h in selectors.who_knows(user=bob, text="claire")} == {
        claire.pk,
        durand.pk,
    }
