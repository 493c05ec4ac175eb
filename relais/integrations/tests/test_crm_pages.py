"""The manager's CRM integrations pages: made with the secret shown once, its webhook address,
the secret rotated (the old one refused at once), turned off (its pushes refused) and each push
received in the page's log with what became of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.integrations.models import CrmIntegration, CrmPush
from relais.integrations.tests.test_crm_sync import opened_lead, post_webhook
from relais.leads.crm import lead_crm_link
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def made(client, manager, key="hubspot"):
    client.force_login(manager)
    return client.post(
        reverse("integrations:crm_new"),
        {"name": "HubSpot", "key": key, "kind": "hubspot"},
        follow=True,
    )


def test_a_manager_makes_an_integration_and_sees_its_secret_once(client, manager):
    response = made(client, manager)

    integration = CrmIntegration.objects.get()
    page = response.content.decode()
    assert integration.secret.startswith("whsec_")
    assert integration.secret in page
    assert "/integrations/crm/hubspot/webhook/" in page
    again = client.get(reverse("integrations:crm", args=[integration.pk])).content.decode()
    assert integration.secret not in again
    listed = client.get(reverse("integrations:crms")).content.decode()
    assert "HubSpot" in listed
    assert reverse("integrations:crm", args=[integration.pk]) in listed


def test_a_key_already_used_is_refused_naming_the_field(client, manager):
    made(client, manager)
    response = made(client, manager)

    assert response.status_code == 422
    assert "Already used." in response.content.decode()
    assert CrmIntegration.objects.count() == 1


def test_each_push_is_logged_with_its_outcome_on_the_page(client, manager):
    made(client, manager)
    integration = CrmIntegration.objects.get()
    lead = lead_crm_link(lead=opened_lead(manager), source="hubspot", deal_id="D-1", actor=manager)
    won = {"deal_id": "D-1", "stage": "closedwon", "amount": "1200", "won_date": "2026-03-02"}

    assert post_webhook(client, integration, won).status_code == 200
    assert post_webhook(client, integration, won, msg="msg_2").status_code == 200
    lost = {"deal_id": "D-1", "stage": "closedlost"}
    assert post_webhook(client, integration, lost, msg="msg_3").status_code == 409
    bad = post_webhook(client, integration, won, secret="whsec_" + "A" * 32, msg="msg_4")
    assert bad.status_code == 401

    outcomes = list(
        CrmPush.objects.order_by("pk").values_list("deal_id", "outcome", "code", "lead_id")
    )
    assert outcomes == [
        ("D-1", "applied", "", lead.pk),
        ("D-1", "unchanged", "", lead.pk),
        ("D-1", "refused", "illegal_transition", None),
        ("", "refused", "bad_signature", None),
    ]
    page = client.get(reverse("integrations:crm", args=[integration.pk])).content.decode()
    assert "4 pushes" in page
    for outcome in ("Applied", "Already so", "Refused"):
        assert outcome in page
    assert "closedlost" in page


def test_rotating_refuses_the_old_secret_and_disabling_refuses_pushes(client, manager):
    made(client, manager)
    integration = CrmIntegration.objects.get()
    old = integration.secret
    lead_crm_link(lead=opened_lead(manager), source="hubspot", deal_id="D-2", actor=manager)
    push = {"deal_id": "D-2", "stage": "contractsent"}

    page = client.post(reverse("integrations:crm_rotate", args=[integration.pk]), follow=True)
    integration.refresh_from_db()
    assert integration.secret != old
    assert integration.secret in page.content.decode()
    assert post_webhook(client, integration, push, secret=old).status_code == 401

    client.post(reverse("integrations:crm_toggle", args=[integration.pk]))
    integration.refresh_from_db()
    assert not integration.enabled
    refused = post_webhook(client, integration, push, msg="msg_5")
    assert (refused.status_code, refused.json()["code"]) == (400, "crm_disabled")
    client.post(reverse("integrations:crm_toggle", args=[integration.pk]))
    integration.refresh_from_db()
    assert integration.enabled
    assert post_webhook(client, integration, push, msg="msg_6").status_code == 200


@pytest.mark.parametrize("role", ["salesperson", "introducer", "reseller"])
def test_no_one_but_a_manager_reaches_a_page(client, manager, role, salesperson):
    made(client, manager)
    integration = CrmIntegration.objects.get()
    user = (
        salesperson
        if role == "salesperson"
        else partner_user(PartnerFactory.create(reseller=role == "reseller"))
    )
    client.force_login(user)
    pk = integration.pk
    for method, name, args in [
        ("get", "integrations:crms", []),
        ("get", "integrations:crm_new", []),
        ("get", "integrations:crm", [pk]),
        ("post", "integrations:crm_rotate", [pk]),
        ("post", "integrations:crm_toggle", [pk]),
    ]:
        assert getattr(client, method)(reverse(name, args=args)).status_code == 403, name
    integration.refresh_from_db()
    assert integration.enabled


def test_the_managers_menu_has_crm_integrations(client, manager):
    client.force_login(manager)
    page = client.get(reverse("integrations:endpoints")).content.decode()
    assert f'href="{reverse("integrations:crms")}"' in page
