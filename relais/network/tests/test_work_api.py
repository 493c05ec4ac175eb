"""The API of introductions and account plans keeps the pages' rules: a private relationship
is a 404 to ask through, an introduction is its two colleagues' only, an on-request owner is
named once they accept; a plan shows who knows whom as the token's user may see it."""

from __future__ import annotations

import pytest

from relais.leads.models import Lead
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    alice, bruno = seller(first_name="Alice", last_name="Arnaud"), seller()
    acme = account("Acme Industrie")
    ask = knows(alice, contact(acme, "Petit", phone="0611223344"), visibility="on_request")
    private = knows(alice, contact(acme, "Roux"), visibility="private")
    return {"alice": alice, "bruno": bruno, "acme": acme, "ask": ask, "private": private}


ASK = {"why": "Décideur", "purpose": "Offre"}


def test_an_introduction_through_the_api(api_client, world):
    bruno, alice = api_client(world["bruno"]), api_client(world["alice"])
    refused = bruno.post(
        "/api/v1/network/introductions",
        {"relationship_id": world["private"].pk, **ASK},
        content_type="application/json",
    )
    assert refused.status_code == 404
    made = bruno.post(
        "/api/v1/network/introductions",
        {"relationship_id": world["ask"].pk, **ASK},
        content_type="application/json",
    )
    assert made.status_code == 201
    intro = made.json()
    assert intro["owner_id"] is None  # on request: not named before accepting
    url = f"/api/v1/network/introductions/{intro['id']}"
    assert api_client(seller()).get(url).status_code == 404
    assert bruno.post(f"{url}/accept").status_code == 400  # only the owner answers
    assert alice.post(f"{url}/accept").json()["status"] == "accepted"
    outcome = bruno.post(
        f"{url}/outcome",
        {"outcome": "opportunity", "postcode": "69003"},
        content_type="application/json",
    ).json()
    assert outcome["owner_id"] == world["alice"].pk
    assert Lead.objects.get(pk=outcome["lead_id"]).channel == "introduction"


def test_a_plan_through_the_api(api_client, world):
    bruno = api_client(world["bruno"])
    base = f"/api/v1/network/accounts/{world['acme'].pk}/plan"
    assert len(bruno.get(base).json()["gaps"]) == 1  # no decision-maker identified yet
    bruno.put(base, {"strategy": "Par les achats"}, content_type="application/json")
    body = bruno.post(
        f"{base}/centre",
        {"contact_id": world["private"].contact_id, "role": "decision_maker"},
        content_type="application/json",
    ).json()
    assert body["strategy"] == "Par les achats"
    assert body["centre"][0]["known"] == []  # Alice's private relationship is hers
    (gap,) = body["gaps"]
    assert "Roux" in gap  # nobody the token's user may see knows the decision-maker
    bad = bruno.post(f"{base}/steps", {"text": ""}, content_type="application/json")
    assert bad.status_code in (400, 422)
