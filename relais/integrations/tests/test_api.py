"""``/api/v1/webhooks/``: a manager's token keeps the endpoints and replays deliveries; any
other token is refused; bad input is a 422 naming the field; the OpenAPI document describes
each event type's payload in its webhooks section."""

from __future__ import annotations

import pytest

from relais.integrations import catalogue, services
from relais.integrations.choices import DeliveryState
from relais.integrations.models import WebhookDelivery, WebhookEndpoint
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
PUBLIC = "https://93.184.215.14/hooks"
BASE = "/api/v1/webhooks"


@pytest.fixture
def hook(manager):
    return services.endpoint_create(url=PUBLIC, event_types=["lead.created"], owner=manager)


def test_a_manager_creates_an_endpoint_and_gets_its_secret_once(api_client, manager):
    api = api_client(manager)
    made = api.post(
        f"{BASE}/endpoints",
        {"url": PUBLIC, "event_types": ["lead.won", "lead.created"]},
        content_type="application/json",
    )

    assert made.status_code == 201
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["lead.created", "lead.won"]
    read = api.get(f"{BASE}/endpoints/{body['id']}").json()
    assert "secret" not in read
    assert read["url"] == PUBLIC


def test_bad_input_is_a_422_naming_the_field(api_client, manager):
    api = api_client(manager)
    bad_url = api.post(
        f"{BASE}/endpoints",
        {"url": "nope", "event_types": ["lead.won"]},
        content_type="application/json",
    )
    private = api.post(
        f"{BASE}/endpoints",
        {"url": "https://10.1.2.3/", "event_types": ["lead.won"]},
        content_type="application/json",
    )
    unknown = api.post(
        f"{BASE}/endpoints",
        {"url": PUBLIC, "event_types": ["lead.eaten"]},
        content_type="application/json",
    )

    assert bad_url.status_code == private.status_code == unknown.status_code == 422
    assert list(bad_url.json()["error"]["fields"]) == ["url"]
    assert "link-local" in private.json()["error"]["fields"]["url"]
    assert unknown.json()["error"]["fields"] == {"event_types": "Unknown event type: lead.eaten."}
    assert not WebhookEndpoint.objects.exists()


def test_update_rotate_and_delete(api_client, manager, hook):
    api = api_client(manager)
    changed = api.put(
        f"{BASE}/endpoints/{hook.pk}",
        {"url": PUBLIC, "event_types": ["lead.won"], "enabled": False},
        content_type="application/json",
    )
    rotated = api.post(f"{BASE}/endpoints/{hook.pk}/rotate-secret")
    gone = api.delete(f"{BASE}/endpoints/{hook.pk}")

    assert changed.json()["enabled"] is False
    assert changed.json()["event_types"] == ["lead.won"]
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != hook.secret
    assert gone.status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_filters_by_state_and_replays(api_client, manager, hook):
    services.endpoint_send_test(endpoint=hook)
    failed = services.endpoint_send_test(endpoint=hook)
    WebhookDelivery.objects.filter(pk=failed.pk).update(state=DeliveryState.FAILED)
    api = api_client(manager)

    listed = api.get(f"{BASE}/endpoints/{hook.pk}/deliveries", {"state": "failed"}).json()
    replayed = api.post(f"{BASE}/endpoints/{hook.pk}/deliveries/{failed.pk}/replay")
    since = api.post(
        f"{BASE}/endpoints/{hook.pk}/replay-failed",
        {"since": "2020-01-01T00:00:00Z"},
        content_type="application/json",
    )

    assert [d["id"] for d in listed["items"]] == [failed.pk]
    assert replayed.status_code == 202
    assert replayed.json()["state"] == "pending"
    assert since.json() == {"replayed": 0}


def test_another_endpoints_delivery_is_a_404(api_client, manager, hook):
    other = services.endpoint_create(url=PUBLIC, event_types=["lead.won"], owner=manager)
    theirs = services.endpoint_send_test(endpoint=other)

    response = api_client(manager).post(f"{BASE}/endpoints/{hook.pk}/deliveries/{theirs.pk}/replay")

    assert response.status_code == 404
    message = f"No delivery {theirs.pk} in this endpoint's log."
    assert response.json()["error"] == {
        "code": "not_found",
        "message": message,
        "fields": {"delivery_id": message},
    }
    theirs.refresh_from_db()
    assert theirs.attempts == 0  # nothing replayed


def test_an_update_to_a_forbidden_address_or_unknown_type_names_the_field(api_client, hook):
    api = api_client(hook.owner)
    private = api.put(
        f"{BASE}/endpoints/{hook.pk}",
        {"url": "https://127.0.0.1/x", "event_types": ["lead.won"]},
        content_type="application/json",
    )
    unknown = api.put(
        f"{BASE}/endpoints/{hook.pk}",
        {"url": PUBLIC, "event_types": ["lead.won", "commission.eaten"]},
        content_type="application/json",
    )
    assert (private.status_code, list(private.json()["error"]["fields"])) == (422, ["url"])
    assert unknown.json()["error"]["fields"] == {
        "event_types": "Unknown event type: commission.eaten."
    }
    hook.refresh_from_db()
    assert hook.url != "https://127.0.0.1/x"


@pytest.mark.parametrize("role", ["salesperson", "introducer", "reseller"])
def test_other_tokens_are_refused(api_client, hook, role, salesperson):
    user = (
        salesperson
        if role == "salesperson"
        else partner_user(PartnerFactory.create(reseller=role == "reseller"))
    )
    api = api_client(user)

    assert api.get(f"{BASE}/endpoints").status_code == 403
    assert api.get(f"{BASE}/endpoints/{hook.pk}").status_code == 403
    assert api.get(f"{BASE}/event-types").status_code == 403
    made = api.post(
        f"{BASE}/endpoints",
        {"url": PUBLIC, "event_types": ["lead.won"]},
        content_type="application/json",
    )
    assert made.status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_the_catalogue_gives_each_payloads_schema(api_client, manager):
    types = api_client(manager).get(f"{BASE}/event-types").json()

    assert [t["code"] for t in types] == [t.code for t in catalogue.CATALOGUE]
    lead = next(t for t in types if t["code"] == "lead.status_changed")
    assert {"lead_id", "from_status", "to_status"} <= set(lead["payload_schema"]["properties"])


def test_the_openapi_document_has_a_webhooks_section(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert set(schema["webhooks"]) == {t.code for t in catalogue.CATALOGUE}
    post = schema["webhooks"]["partner.contract_signed"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert "signature_id" in body["properties"]["data"]["properties"]
    assert {p["name"] for p in post["parameters"]} == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
