"""The network's API keeps the pages' visibility: a private relationship of someone else's is a
404 for every token, a manager's included; "on request" comes without its owner."""

from __future__ import annotations

import pytest

from relais.network.models import Relationship
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    alice = seller(first_name="Alice", last_name="Arnaud")
    acme = account("Acme Industrie", sector="Chimie")
    shared = knows(alice, contact(acme, "Durand"), visibility="shared", strength=5)
    ask = knows(alice, contact(acme, "Petit"), visibility="on_request", strength=4)
    private = knows(alice, contact(acme, "Roux"), visibility="private")
    return {"alice": alice, "acme": acme, "shared": shared, "ask": ask, "private": private}


def test_who_knows_shows_shared_by_name_and_on_request_without_owner(api_client, world):
    bob = api_client(seller())
    body = bob.get("/api/v1/network/who-knows", {"q": "acme"}).json()
    by_name = {h["contact"]["last_name"]: h["relationship"] for h in body}
    assert set(by_name) == {"Durand", "Petit"}
    assert by_name["Durand"]["owner_name"] == "Alice Arnaud"
    assert by_name["Petit"]["owner_id"] is None
    assert by_name["Petit"]["context"] is None


def test_a_private_relationship_is_a_404_even_for_a_manager(api_client, world, manager):
    url = f"/api/v1/network/relationships/{world['private'].pk}"
    assert api_client(manager).get(url).status_code == 404
    assert api_client(manager).delete(url).status_code == 404
    assert api_client(world["alice"]).get(url).json()["owner_name"] == "Alice Arnaud"
    account_map = api_client(manager).get(f"/api/v1/network/accounts/{world['acme'].pk}").json()
    known = {p["contact"]["last_name"]: len(p["known"]) for p in account_map["people"]}
    assert known == {"Durand": 1, "Petit": 1, "Roux": 0}


def test_a_strength_outside_the_scale_is_a_400_naming_the_field(api_client, world):
    person = contact(world["acme"], "Neuf")
    answer = api_client(seller()).post(
        "/api/v1/network/relationships",
        {"contact_id": person.pk, "strength": 6, "context": "school"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "strength" in answer.json()["error"]["fields"]
    assert not Relationship.objects.filter(contact=person).exists()


def test_a_duplicate_account_is_a_409(api_client, world, salesperson):
    answer = api_client(salesperson).post(
        "/api/v1/network/accounts",
        {"name": "ACME industrie SAS", "departement": "69"},
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "duplicate"


def test_partners_tokens_are_refused(api_client, introducer_user, world):
    assert api_client(introducer_user).get("/api/v1/network/who-knows").status_code == 403


def test_the_account_list_filters_by_name(api_client, world, salesperson):
    answer = api_client(salesperson).get("/api/v1/network/accounts", {"q": "acme"})
    assert answer.status_code == 200
    names = [a["name"] for a in answer.json()["items"]]
    assert names
    assert all("ACME" in n.upper() for n in names)
    assert (
        api_client(salesperson).get("/api/v1/network/accounts", {"q": "zzz"}).json()["items"] == []
    )
