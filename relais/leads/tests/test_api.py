"""The leads API: single and bulk creation with Idempotency-Key, scoping, transitions."""

import pytest
from django.utils import translation

from relais.leads.models import Lead
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
LEAD = {
    "last_name": "Martin",
    "email": "martin@orange.fr",
    "postcode": "69003",
    "need": "PAC air/eau",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def post(client, url, body, **headers):
    # Error messages follow the caller's language: these tests read them in English.
    return client.post(
        url, body, content_type="application/json", headers={"Accept-Language": "en", **headers}
    )


def test_a_partner_token_creates_a_lead_for_its_partner(api_client):
    partner = PartnerFactory()
    response = post(api_client(partner_user(partner)), "/api/v1/leads", LEAD)
    assert response.status_code == 201
    body = response.json()
    assert (body["partner_id"], body["channel"], body["departement"], body["status"]) == (
        partner.pk,
        "api",
        "69",
        "submitted",
    )


def test_a_retried_call_with_the_same_key_creates_nothing_twice(api_client):
    client = api_client(partner_user(PartnerFactory()))
    first = post(client, "/api/v1/leads", LEAD, **{"Idempotency-Key": "abc-1"})
    again = post(client, "/api/v1/leads", LEAD, **{"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Lead.objects.count() == 1
    other = post(
        client, "/api/v1/leads", {**LEAD, "last_name": "Autre"}, **{"Idempotency-Key": "abc-1"}
    )
    assert other.status_code == 400
    assert other.json()["error"]["code"] == "idempotency_conflict"


def test_an_invalid_lead_is_422_naming_each_field(api_client, manager):
    response = post(
        api_client(manager),
        "/api/v1/leads",
        {"last_name": "X", "email": "nope", "postcode": "7500"},
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "nope" in fields["email"]
    assert "7500" in fields["postcode"]
    assert not Lead.objects.exists()


def test_bulk_reports_each_item_precisely(api_client):
    partner = PartnerFactory()
    items = [dict(LEAD, email=f"p{i}@orange.fr") for i in range(4)]
    items[2] = {"last_name": "Sans contact", "postcode": "69003"}
    client = api_client(partner_user(partner))
    response = post(client, "/api/v1/leads/bulk", {"items": items}, **{"Idempotency-Key": "bulk-1"})
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["invalid"]) == (3, 1)
    bad = body["results"][2]
    assert (bad["index"], bad["status"]) == (2, "invalid")
    assert "e-mail or a phone" in bad["errors"]["email"]
    assert Lead.objects.filter(partner=partner).count() == 3
    again = post(client, "/api/v1/leads/bulk", {"items": items}, **{"Idempotency-Key": "bulk-1"})
    assert again.json() == body
    assert Lead.objects.count() == 3


def test_bulk_names_duplicates_within_the_call_and_unknown_introducers(api_client, manager):
    PartnerFactory(referral_code="known123")
    items = [
        dict(LEAD, partner_code="known123"),
        dict(LEAD, partner_code="nobody99"),
        dict(LEAD, partner_code="known123", last_name="Martin bis"),
    ]
    body = post(api_client(manager), "/api/v1/leads/bulk", {"items": items}).json()
    first, unknown, again = body["results"]
    assert (first["status"], first["duplicate_of_id"]) == ("created", None)
    assert unknown["status"] == "invalid"
    assert "nobody99" in unknown["errors"]["partner_code"]
    assert (again["status"], again["duplicate_of_id"]) == ("created", first["id"])
    assert Lead.objects.get(pk=again["id"]).status == "rejected"  # same introducer twice


def test_bulk_over_the_limit_is_refused_whole(api_client, manager):
    items = [dict(LEAD, email=f"p{i}@orange.fr") for i in range(1001)]
    response = post(api_client(manager), "/api/v1/leads/bulk", {"items": items})
    assert response.status_code == 400
    assert "1000" in response.json()["error"]["message"].replace("\u202f", "").replace(",", "")
    assert not Lead.objects.exists()


def test_a_partner_reads_only_its_own_leads(api_client):
    mine, theirs = PartnerFactory(), PartnerFactory()
    client = api_client(partner_user(mine))
    own = post(client, "/api/v1/leads", LEAD).json()["id"]
    other = post(
        api_client(partner_user(theirs)), "/api/v1/leads", dict(LEAD, email="x@orange.fr")
    ).json()["id"]
    assert [lead["id"] for lead in client.get("/api/v1/leads").json()["items"]] == [own]
    assert client.get(f"/api/v1/leads/{own}").status_code == 200
    assert client.get(f"/api/v1/leads/{other}").status_code == 404
    assert (
        post(client, f"/api/v1/leads/{other}/transitions", {"to": "qualified"}).status_code == 404
    )


def test_illegal_transition_is_409(api_client, manager):
    lead_id = post(api_client(manager), "/api/v1/leads", LEAD).json()["id"]
    response = post(
        api_client(manager),
        f"/api/v1/leads/{lead_id}/transitions",
        {"to": "won", "amount": "10", "won_date": "2026-11-01"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    assert (
        post(
            api_client(manager), f"/api/v1/leads/{lead_id}/transitions", {"to": "qualified"}
        ).json()["status"]
        == "qualified"
    )
