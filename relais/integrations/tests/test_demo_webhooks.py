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


def test_the_demo_crm_logs_one_applied_and_one_refused_push_once(manager):
    from relais.demo.webhooks import seed_crm
    from relais.integrations.tests.test_crm_sync import opened_lead

    lead = opened_lead(manager)
    crm = seed_crm()
    seed_crm()

    outcomes = list(crm.pushes.order_by("pk").values_list("deal_id", "outcome"))
    assert outcomes == [("demo-1", "applied"), ("demo-404", "refused")]
    lead.refresh_from_db()
    assert (lead.crm_deal_id, lead.status) == ("demo-1", "in_progress")
