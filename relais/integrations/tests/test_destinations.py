"""The SSRF guard: webhooks go to public https addresses only, unless the settings allow more."""

from __future__ import annotations

import pytest

from relais.core.errors import DomainError
from relais.integrations import sender, services
from relais.integrations.destinations import Refused, resolve
from relais.integrations.models import WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_guard(settings):
    settings.DEBUG = False
    settings.RELAIS_WEBHOOK_ALLOW_HTTP = False
    settings.RELAIS_WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.0.0.7/hooks",
        "https://192.168.1.1/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url):
    with pytest.raises(Refused, match="webhooks may not go there"):
        resolve(url)


def test_a_public_address_is_accepted():
    assert resolve("https://93.184.215.14/hooks").address == "93.184.215.14"


def test_http_is_refused_in_production():
    with pytest.raises(Refused, match="Only https"):
        resolve("http://93.184.215.14/hooks")


def test_http_is_allowed_when_the_setting_says_so(settings):
    settings.RELAIS_WEBHOOK_ALLOW_HTTP = True
    assert resolve("http://93.184.215.14/hooks").port == 80


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://example.com/x", "https://", "https://x:99999/"]
)
def test_what_is_not_a_url_is_refused(url):
    with pytest.raises(Refused, match="not a URL"):
        resolve(url)


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(Refused, match="does not resolve"):
        resolve("https://no-such-host.invalid/hooks")


def test_creating_an_endpoint_to_a_forbidden_address_names_the_url_field(manager):
    with pytest.raises(DomainError) as refused:
        services.endpoint_create(
            url="https://127.0.0.1/x", event_types=["lead.created"], owner=manager
        )
    assert set(refused.value.fields) == {"url"}


def test_an_unknown_event_type_names_the_event_types_field(manager):
    with pytest.raises(DomainError) as refused:
        services.endpoint_create(
            url="https://93.184.215.14/x", event_types=["lead.eaten"], owner=manager
        )
    assert refused.value.fields == {"event_types": "Unknown event type: lead.eaten."}


def test_an_address_forbidden_since_the_endpoint_was_made_gets_no_request(
    receiver, manager, settings
):
    hook = services.endpoint_create(url=receiver.url, event_types=["lead.created"], owner=manager)
    services.endpoint_send_test(endpoint=hook)
    settings.RELAIS_WEBHOOK_ALLOW_PRIVATE = False  # checked again at each attempt

    services.deliver_all()

    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert "may not go there" in delivery.error
    assert delivery.response_code is None


def test_the_post_has_a_timeout(receiver, settings):
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = 1
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/hooks"
    try:
        answer = sender.post(url, "{}", {})
    finally:
        silent.close()
    assert answer.code is None
    assert "timed out" in answer.error
