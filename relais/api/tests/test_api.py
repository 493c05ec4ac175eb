import pytest
from openapi_spec_validator import validate

from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db

NEW_PARTNER = {
    "kind": "introducer",
    "legal_form": "micro",
    "tax_regime": "vat_franchise",
    "company_name": "Martin Conseil EI",
    "email": "martin@example.fr",
    "postcode": "44000",
    "siret": "73282932000074",
}


def test_me_describes_the_token_owner(api_client, introducer_user):
    body = api_client(introducer_user, ("read",)).get("/api/v1/me").json()
    assert body["email"] == introducer_user.email
    assert body["role"] == "introducer"
    assert body["scopes"] == ["read"]
    assert body["partner"]["id"] == introducer_user.partner_membership.partner_id


@pytest.mark.parametrize("header", [None, "Bearer rls_wrong", "Basic abc"])
def test_no_or_a_wrong_token_is_401_with_the_error_body(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_revoked_token_is_401(client, manager):
    from relais.accounts.services import api_token_create, api_token_revoke

    token, raw = api_token_create(user=manager, name="old", scopes=["read"])
    api_token_revoke(token=token)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_read_only_token_cannot_write(api_client, manager):
    response = api_client(manager, ("read",)).post(
        "/api/v1/partners", NEW_PARTNER, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Partner.objects.exists()


def test_manager_creates_a_partner(api_client, manager):
    response = api_client(manager).post(
        "/api/v1/partners", NEW_PARTNER, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["siren"] == "732829320"
    assert body["departement"] == "44"
    assert Partner.objects.get().email == "martin@example.fr"


def test_invalid_identifiers_are_422_naming_each_field(api_client, manager):
    response = api_client(manager).post(
        "/api/v1/partners",
        {**NEW_PARTNER, "siret": "73282932000075", "postcode": "99999"},
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "73282932000075" in error["fields"]["siret"]
    assert "99999" in error["fields"]["postcode"]
    assert not Partner.objects.exists()


def test_a_missing_required_field_is_422_naming_it(api_client, manager):
    payload = {k: v for k, v in NEW_PARTNER.items() if k != "email"}
    response = api_client(manager).post(
        "/api/v1/partners", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert "email" in response.json()["error"]["fields"]


def test_partial_update(api_client, manager):
    partner = PartnerFactory()
    response = api_client(manager).patch(
        f"/api/v1/partners/{partner.pk}", {"postcode": "2A004"}, content_type="application/json"
    )
    assert response.status_code == 422
    response = api_client(manager).patch(
        f"/api/v1/partners/{partner.pk}",
        {"city": "Ajaccio", "postcode": "20000"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["departement"] == "2A"
    assert response.json()["email"] == partner.email


def test_list_is_paginated_with_a_count(api_client, manager):
    PartnerFactory.create_batch(3)
    body = api_client(manager).get("/api/v1/partners?page_size=2").json()
    assert body["count"] == 3
    assert len(body["items"]) == 2
    assert len(api_client(manager).get("/api/v1/partners?page=2&page_size=2").json()["items"]) == 1


def test_a_partner_user_sees_only_its_own_partner(api_client):
    mine, other = PartnerFactory(), PartnerFactory()
    client = api_client(partner_user(mine))
    assert [p["id"] for p in client.get("/api/v1/partners").json()["items"]] == [mine.pk]
    assert client.get(f"/api/v1/partners/{mine.pk}").status_code == 200
    response = client.get(f"/api/v1/partners/{other.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.patch(
        f"/api/v1/partners/{other.pk}", {"city": "X"}, content_type="application/json"
    ).status_code in (403, 404)
    assert (
        client.patch(
            f"/api/v1/partners/{mine.pk}", {"city": "X"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_users_of_one_reseller_share_its_partner(api_client):
    reseller = PartnerFactory(reseller=True)
    first, second = partner_user(reseller), partner_user(reseller)
    for user in (first, second):
        assert api_client(user).get(f"/api/v1/partners/{reseller.pk}").status_code == 200


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/v1/partners" in schema["paths"]
    assert "/api/v1/me" in schema["paths"]


def test_interactive_docs_are_served(client):
    assert client.get("/api/v1/docs").status_code == 200
