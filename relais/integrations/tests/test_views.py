"""The manager's webhook pages: an endpoint made with its secret shown once, errors naming the
field, the delivery log and its replays; no one but a manager reaches any of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.integrations import services
from relais.integrations.choices import DeliveryState
from relais.integrations.models import WebhookDelivery, WebhookEndpoint
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
PUBLIC = "https://93.184.215.14/hooks"


@pytest.fixture
def hook(manager):
    return services.endpoint_create(url=PUBLIC, event_types=["lead.created"], owner=manager)


def pages(hook, delivery=None):
    pk = hook.pk
    return [
        ("get", reverse("integrations:endpoints")),
        ("get", reverse("integrations:endpoint_new")),
        ("get", reverse("integrations:endpoint", args=[pk])),
        ("get", reverse("integrations:endpoint_edit", args=[pk])),
        ("post", reverse("integrations:endpoint_rotate", args=[pk])),
        ("post", reverse("integrations:endpoint_test", args=[pk])),
        ("post", reverse("integrations:replay_failed", args=[pk])),
        ("post", reverse("integrations:endpoint_delete", args=[pk])),
    ]


def test_a_manager_makes_an_endpoint_and_sees_its_secret_once(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("integrations:endpoint_new"),
        {
            "url": PUBLIC,
            "description": "CRM",
            "event_types": ["lead.created", "lead.won"],
            "enabled": "on",
        },
        follow=True,
    )

    hook = WebhookEndpoint.objects.get()
    assert hook.event_types == ["lead.created", "lead.won"]
    assert hook.owner == manager
    assert hook.secret.startswith("whsec_")
    assert hook.secret in response.content.decode()
    again = client.get(reverse("integrations:endpoint", args=[hook.pk]))
    assert hook.secret not in again.content.decode()


def test_a_url_that_is_not_one_is_refused_naming_the_field(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("integrations:endpoint_new"), {"url": "crm dot com", "event_types": ["lead.won"]}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["url"] == [
        "crm dot com is not a URL: give one like https://crm.example.com/hooks."
    ]
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_refused_naming_the_field(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("integrations:endpoint_new"),
        {"url": "https://192.168.0.10/x", "event_types": ["lead.won"]},
    )

    assert response.status_code == 422
    assert "private, loopback or link-local" in response.context["form"].errors["url"][0]


def test_an_unknown_event_type_is_refused_naming_the_field(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("integrations:endpoint_new"), {"url": PUBLIC, "event_types": ["lead.eaten"]}
    )

    assert response.status_code == 422
    assert "event_types" in response.context["form"].errors


def test_the_form_lists_every_event_type_with_its_description(client, manager):
    client.force_login(manager)
    page = client.get(reverse("integrations:endpoint_new")).content.decode()

    assert "partner.contract_signed" in page
    assert "A partner signed a contract" in page


def test_rotating_shows_the_new_secret_and_keeps_the_old_one_signing(client, manager, hook):
    old = hook.secret
    client.force_login(manager)
    response = client.post(reverse("integrations:endpoint_rotate", args=[hook.pk]), follow=True)

    hook.refresh_from_db()
    assert hook.secret != old
    assert hook.secret in response.content.decode()
    assert hook.secrets() == [hook.secret, old]


def test_the_log_filters_by_state_and_replays_one_delivery(client, manager, hook):
    services.endpoint_send_test(endpoint=hook)
    services.endpoint_send_test(endpoint=hook)
    first, _second = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=first.pk).update(state=DeliveryState.FAILED, attempts=10)
    client.force_login(manager)

    failed = client.get(reverse("integrations:endpoint", args=[hook.pk]), {"state": "failed"})
    assert list(failed.context["page"]) == [first]
    client.post(reverse("integrations:delivery_replay", args=[hook.pk, first.pk]))

    first.refresh_from_db()
    assert first.state == DeliveryState.PENDING
    assert first.attempts == 0


def test_another_endpoints_delivery_cannot_be_replayed_through_this_one(client, manager, hook):
    other = services.endpoint_create(url=PUBLIC, event_types=["lead.won"], owner=manager)
    theirs = services.endpoint_send_test(endpoint=other)
    WebhookDelivery.objects.filter(pk=theirs.pk).update(state=DeliveryState.FAILED)
    client.force_login(manager)

    response = client.post(reverse("integrations:delivery_replay", args=[hook.pk, theirs.pk]))

    assert response.status_code == 404
    assert WebhookDelivery.objects.get(pk=theirs.pk).state == DeliveryState.FAILED


def test_replay_everything_failed_since_a_date(client, manager, hook):
    for _ in range(3):
        services.endpoint_send_test(endpoint=hook)
    WebhookDelivery.objects.update(state=DeliveryState.FAILED)
    client.force_login(manager)

    response = client.post(
        reverse("integrations:replay_failed", args=[hook.pk]), {"since": "2020-01-01"}, follow=True
    )

    assert "3 failed deliveries queued again." in response.content.decode()
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"pending"}


def test_the_test_button_queues_a_test_event(client, manager, hook):
    client.force_login(manager)
    client.post(reverse("integrations:endpoint_test", args=[hook.pk]))

    assert WebhookDelivery.objects.get().event_type == "webhook.test"


@pytest.mark.parametrize("role", ["salesperson", "introducer", "reseller"])
def test_no_one_but_a_manager_reaches_a_page(client, hook, role, salesperson):
    if role == "salesperson":
        user = salesperson
    else:
        user = partner_user(PartnerFactory.create(reseller=role == "reseller"))
    client.force_login(user)

    for method, url in pages(hook):
        assert getattr(client, method)(url).status_code == 403, url
    assert WebhookEndpoint.objects.filter(pk=hook.pk).exists()


def test_an_anonymous_visitor_goes_to_the_login_page(client, hook):
    response = client.get(reverse("integrations:endpoints"))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_managers_menu_has_webhooks(client, manager):
    client.force_login(manager)
    page = client.get(reverse("integrations:endpoints")).content.decode()
    assert f'href="{reverse("integrations:endpoints")}"' in page
