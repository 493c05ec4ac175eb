"""CRM status sync: a lead linked to its deal, the deal's stage pushed through the API or the
integration's signed webhook (a real HTTP request through Django's test client, signed with the
``standardwebhooks`` library), applied through the lead's own transitions: once, whatever the
repeats; an illegal move refused naming the statuses; one integration's secret for its own."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from relais.accounts.choices import Role
from relais.core.models import OutboxEvent
from relais.integrations.crm import crm_integration_create
from relais.integrations.models import CrmIntegration as CrmIntegrationModel
from relais.leads.crm import lead_crm_link
from relais.leads.lifecycle import lead_assign
from relais.leads.models import Lead, LeadEvent
from relais.leads.services import lead_submit, lead_transition
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


def opened_lead(manager, n=0):
    lead = lead_submit(
        data={"last_name": f"Deal {n}", "phone": f"0622{n:06d}", "postcode": "69003"},
        channel="staff",
    )
    lead = lead_transition(lead=lead, to="qualified", actor=manager)
    salesperson = UserFactory(role=Role.SALESPERSON)
    lead = lead_assign(
        lead=lead, actor=manager, reseller=None, salesperson=salesperson, note="", at=timezone.now()
    )
    return lead_transition(lead=lead, to="opened", actor=manager)


@pytest.fixture
def hubspot(manager):
    return crm_integration_create(name="HubSpot", key="hubspot", kind="hubspot", actor=manager)


def signed(integration, body: dict, *, secret: str | None = None, msg: str = "msg_1"):
    text = json.dumps(body)
    now = timezone.now()
    signature = Webhook(secret or integration.secret).sign(msg, now, text)
    return text, {
        "HTTP_WEBHOOK_ID": msg,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(now.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }


def post_webhook(client, integration, body, **kwargs):
    text, headers = signed(integration, body, **kwargs)
    url = f"/integrations/crm/{integration.key}/webhook/"
    return client.post(url, text, content_type="application/json", **headers)


def test_a_manager_sets_up_a_crm_links_a_lead_and_pushes_its_deal_through_the_api(
    api_client, manager
):
    api = api_client(manager)
    made = api.post(
        "/api/v1/crm/integrations",
        {"name": "Pipedrive", "key": "pipedrive", "kind": "pipedrive"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["secret"].startswith("whsec_")
    assert "secret" not in api.get("/api/v1/crm/integrations").json()[0]
    lead = opened_lead(manager)
    linked = api.put(
        f"/api/v1/leads/{lead.pk}/crm",
        {"crm_source": "pipedrive", "crm_deal_id": "D-42"},
        content_type="application/json",
    )
    assert linked.json() == {"id": lead.pk, "crm_source": "pipedrive", "crm_deal_id": "D-42"}
    push = {"deal_id": "D-42", "stage": "won", "amount": "1250.50", "won_date": "2026-11-30"}
    first = api.post("/api/v1/crm/pipedrive/deals", push, content_type="application/json")
    assert first.status_code == 200
    assert first.json() == {"lead": lead.pk, "status": "won", "changed": True}
    lead.refresh_from_db()
    assert (lead.status, lead.won_amount, lead.won_date) == (
        "won",
        Decimal("1250.50"),
        date(2026, 11, 30),
    )
    moves, published = LeadEvent.objects.count(), OutboxEvent.objects.count()
    again = api.post("/api/v1/crm/pipedrive/deals", push, content_type="application/json")
    assert again.json()["changed"] is False  # the same push twice changes nothing
    assert (LeadEvent.objects.count(), OutboxEvent.objects.count()) == (moves, published)
    lost = api.post(
        "/api/v1/crm/pipedrive/deals",
        {"deal_id": "D-42", "stage": "lost", "lost_reason": "Too dear"},
        content_type="application/json",
    )
    assert lost.status_code == 409
    assert "Won" in lost.json()["error"]["message"]
    assert "Lost" in lost.json()["error"]["message"]
    assert Lead.objects.get(pk=lead.pk).status == "won"


def test_bad_input_gets_a_clear_answer(api_client, manager, hubspot):
    api = api_client(manager)
    lead, other = opened_lead(manager, 1), opened_lead(manager, 2)
    lead_crm_link(lead=lead, source="hubspot", deal_id="9001", actor=manager)
    taken = api.put(
        f"/api/v1/leads/{other.pk}/crm",
        {"crm_source": "hubspot", "crm_deal_id": "9001"},
        content_type="application/json",
    )
    assert taken.status_code == 400
    assert "already linked" in taken.json()["error"]["message"]
    unknown_stage = api.post(
        "/api/v1/crm/hubspot/deals",
        {"deal_id": "9001", "stage": "negotiation"},
        content_type="application/json",
    )
    assert unknown_stage.status_code == 422
    assert "negotiation" in unknown_stage.json()["error"]["message"]
    unknown_deal = api.post(
        "/api/v1/crm/hubspot/deals",
        {"deal_id": "404", "stage": "closedlost"},
        content_type="application/json",
    )
    assert unknown_deal.status_code == 404
    no_amount = api.post(
        "/api/v1/crm/hubspot/deals",
        {"deal_id": "9001", "stage": "closedwon"},
        content_type="application/json",
    )
    assert no_amount.status_code == 400
    assert Lead.objects.get(pk=lead.pk).status == "opened"


def test_only_managers_reach_the_crm_api(api_client, manager, hubspot):
    reseller = partner_user(PartnerFactory(reseller=True))
    api = api_client(reseller)
    lead = opened_lead(manager)
    assert api.get("/api/v1/crm/integrations").status_code == 403
    push = {"deal_id": "1", "stage": "closedlost"}
    assert (
        api.post("/api/v1/crm/hubspot/deals", push, content_type="application/json").status_code
        == 403
    )
    link = {"crm_source": "hubspot", "crm_deal_id": "1"}
    assert api.put(
        f"/api/v1/leads/{lead.pk}/crm", link, content_type="application/json"
    ).status_code in (403, 404)


def test_a_signed_webhook_moves_the_lead_once_and_a_forged_one_nothing(client, manager, hubspot):
    lead = opened_lead(manager)
    lead_crm_link(lead=lead, source="hubspot", deal_id="777", actor=manager)
    body = {"deal_id": "777", "stage": "closedlost", "lost_reason": "Chose a competitor"}
    forged = post_webhook(client, hubspot, body, secret="whsec_" + "QUJD" * 8)
    assert forged.status_code == 401
    assert Lead.objects.get(pk=lead.pk).status == "opened"
    done = post_webhook(client, hubspot, body)
    assert done.status_code == 200
    assert done.json() == {"lead": lead.pk, "status": "lost", "changed": True}
    lead.refresh_from_db()
    assert lead.lost_reason == "Chose a competitor"
    repeated = post_webhook(client, hubspot, body, msg="msg_2")
    assert repeated.json()["changed"] is False
    assert LeadEvent.objects.filter(lead=lead, to_status="lost").count() == 1


def test_an_integrations_secret_reaches_only_its_own_leads(client, manager, hubspot):
    pipedrive = crm_integration_create(
        name="Pipedrive", key="pipedrive", kind="pipedrive", actor=manager
    )
    lead = opened_lead(manager)
    lead_crm_link(lead=lead, source="hubspot", deal_id="55", actor=manager)
    # Pipedrive's secret on HubSpot's URL: refused.
    body = {"deal_id": "55", "stage": "closedlost"}
    assert post_webhook(client, hubspot, body, secret=pipedrive.secret).status_code == 401
    # Pipedrive's own URL and secret: HubSpot's deal 55 is not one of its leads.
    reached = post_webhook(client, pipedrive, {"deal_id": "55", "stage": "lost"})
    assert reached.status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == "opened"


def test_the_demo_links_three_worked_leads_to_its_crm_once(manager):
    from relais.demo.webhooks import seed_crm

    leads = [opened_lead(manager, n) for n in range(4)]
    seed_crm()
    seed_crm()
    assert CrmIntegrationModel.objects.count() == 1
    linked = Lead.objects.filter(crm_source="hubspot").order_by("pk")
    assert [(lead.pk, lead.crm_deal_id) for lead in linked] == [
        (leads[n].pk, f"demo-{n + 1}") for n in range(3)
    ]
