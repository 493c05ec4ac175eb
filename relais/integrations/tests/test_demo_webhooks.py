"""The demo shows one example webhook endpoint, disabled, and a second run adds none."""

import pytest

from relais.demo.webhooks import seed_webhooks
from relais.integrations.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_disabled_example_endpoint_and_a_second_run_adds_none():
    seed_webhooks()
    seed_webhooks()

    (endpoint,) = WebhookEndpoint.objects.all()
    assert not endpoint.enabled
    assert endpoint.disabled_reason
    assert endpoint.secret.startswith("whsec_")
    assert "lead.created" in endpoint.event_types
