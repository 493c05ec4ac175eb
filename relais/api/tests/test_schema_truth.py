"""The OpenAPI document says what the API does: body names, nullable fields, error statuses,
pages out of range, and the answer when the database cannot be reached."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

ROOT = Path(__file__).resolve().parents[3]
ERROR_STATUSES = ("401", "403", "404", "409", "422", "503")


@pytest.fixture
def openapi(client):
    return client.get("/api/v1/openapi.json").json()


def _ref(node):
    return node["$ref"].rsplit("/", 1)[-1]


def _body(operation):
    return _ref(operation["requestBody"]["content"]["application/json"]["schema"])


def test_partner_and_lead_transitions_each_document_their_own_body(openapi):
    partner_op = openapi["paths"]["/api/v1/partners/{partner_id}/transitions"]["post"]
    lead_op = openapi["paths"]["/api/v1/leads/{lead_id}/transitions"]["post"]
    assert _body(partner_op) == "PartnerTransitionIn"
    assert _body(lead_op) == "LeadTransitionIn"
    schemas = openapi["components"]["schemas"]
    assert "TransitionIn" not in schemas
    partner_body, lead_body = schemas["PartnerTransitionIn"], schemas["LeadTransitionIn"]
    assert set(partner_body["properties"]) == {"to", "reason"}
    assert _ref(partner_body["properties"]["to"]) == "PartnerStatus"
    assert set(lead_body["properties"]) == {
        "to",
        "note",
        "rejection_reason",
        "amount",
        "won_date",
        "lost_reason",
    }
    assert _ref(lead_body["properties"]["to"]) == "LeadStatus"


def test_every_operation_documents_the_error_statuses_with_the_error_body(openapi):
    for path, operations in openapi["paths"].items():
        if path.endswith(("/openapi.json", "/docs")):
            continue
        for method, operation in operations.items():
            for status in ERROR_STATUSES:
                response = operation["responses"].get(status)
                assert response, f"{method.upper()} {path} does not document {status}"
                schema = response["content"]["application/json"]["schema"]
                assert _ref(schema) == "ErrorOut", f"{method.upper()} {path} {status}"


def _nullable(prop):
    return {"type": "null"} in prop.get("anyOf", [])


def test_the_partner_patch_schema_says_which_fields_take_null(openapi):
    props = openapi["components"]["schemas"]["PartnerPatch"]["properties"]
    for required in ("kind", "legal_form", "tax_regime", "email", "postcode"):
        assert not _nullable(props[required]), required
        assert "default" not in props[required], required
    for blank in ("company_name", "phone", "city", "siret", "iban", "served_departements"):
        assert _nullable(props[blank]), blank
        assert "null" in props[blank]["description"], blank


@pytest.mark.django_db
def test_null_clears_a_partner_field_that_may_be_blank(api_client, manager):
    partner = PartnerFactory(reseller=True, phone="+33472000000", city="Lyon")
    partner.served_departements.set(["69", "01"])
    response = api_client(manager).patch(
        f"/api/v1/partners/{partner.pk}",
        {"city": None, "phone": None, "served_departements": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["city"], body["phone"], body["served_departements"]) == ("", "", [])
    partner.refresh_from_db()
    assert (partner.city, partner.phone) == ("", "")
    assert not partner.served_departements.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["kind", "legal_form", "tax_regime", "email", "postcode"])
def test_null_on_a_required_partner_field_is_422_naming_it(api_client, manager, field):
    partner = PartnerFactory()
    response = api_client(manager).patch(
        f"/api/v1/partners/{partner.pk}", {field: None}, content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert list(error["fields"]) == [field]
    assert getattr(Partner.objects.get(pk=partner.pk), field) == getattr(partner, field)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/partners", "/api/v1/leads", "/api/v1/inbox"])
def test_a_page_beyond_any_database_offset_is_422_naming_page(api_client, manager, path):
    response = api_client(manager).get(f"{path}?page={10**18}")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["page"]


@pytest.mark.django_db
def test_a_page_past_the_last_is_empty(api_client, manager):
    PartnerFactory.create_batch(2)
    body = api_client(manager).get("/api/v1/partners?page=900&page_size=500").json()
    assert body == {"items": [], "count": 2}


UNREACHABLE = """
from django.test import Client
response = Client().get("/api/v1/me", headers={"Authorization": "Bearer rls_whatever"})
print(response.status_code, response["Content-Type"])
print(response.content.decode())
"""


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_an_unreachable_database_is_a_503_with_the_error_body(tmp_path, engine):
    # A directory cannot be opened as an SQLite file; nothing listens on port 1.
    url = f"sqlite:///{tmp_path}" if engine == "sqlite" else "postgres://relais@127.0.0.1:1/relais"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DB_"))}
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{UNREACHABLE}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "relais.settings", "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    status_line, body = done.stdout.split("\n", 1)
    assert status_line == "503 application/json; charset=utf-8"
    error = json.loads(body)["error"]
    assert error["code"] == "database_unavailable"
    assert error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "1700000000", "2026-12-02T10:00:00", "20261202"])
def test_a_date_filter_takes_only_the_documented_yyyy_mm_dd(api_client, manager, value):
    response = api_client(manager).get(f"/api/v1/leads?since={value}")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["since"]
    assert api_client(manager).get("/api/v1/leads?since=2026-12-02").status_code == 200


@pytest.mark.django_db
def test_a_won_date_as_a_number_is_422_naming_it(api_client, manager):
    client = api_client(manager)
    lead = {"last_name": "Martin", "email": "martin@orange.fr", "postcode": "69003"}
    lead_id = client.post("/api/v1/leads", lead, content_type="application/json").json()["id"]
    response = client.post(
        f"/api/v1/leads/{lead_id}/transitions",
        {"to": "won", "amount": "1200.00", "won_date": 0},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["won_date"]
