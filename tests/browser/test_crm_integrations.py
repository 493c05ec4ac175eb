"""Issue 31: a manager sets up a CRM integration, copies its secret and webhook address, the
CRM pushes a deal (a real signed HTTP POST to the live server) and the push shows in the
integration's log with its outcome; disabled, the next push is refused and logged so. The
pages pass axe-core and fit a phone's width (375 px), kept as screenshots."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from relais.integrations.models import CrmIntegration
from relais.integrations.tests.test_crm_sync import opened_lead
from relais.leads.crm import lead_crm_link
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def push(url: str, secret: str, body: dict, msg: str) -> int:
    text = json.dumps(body)
    now = timezone.now()
    headers = {
        "content-type": "application/json",
        "webhook-id": msg,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg, now, text),
    }
    request = urllib.request.Request(url, text.encode(), headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (the live server)
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_a_manager_sets_up_a_crm_and_sees_its_pushes_in_the_log(browser, live_server, manager):
    lead = lead_crm_link(lead=opened_lead(manager), source="hubspot", deal_id="D-7", actor=manager)
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto("/integrations/webhooks/")
        page.get_by_role("link", name="CRM integrations").first.click()
        page.get_by_role("link", name="New CRM integration").click()
        page.get_by_label("Name").fill("HubSpot ventes")
        page.get_by_label("Key").fill("hubspot")
        page.get_by_label("CRM").select_option("hubspot")
        assert not both_widths(page, "crm new", prefix="crm-")
        page.get_by_role("button", name="Create the integration").click()
        page.wait_for_url("**/integrations/crm/*/")

        secret = page.locator("#secret code").inner_text()
        assert secret == CrmIntegration.objects.get().secret
        url = page.locator("#crm-webhook-url").inner_text()
        assert url.endswith("/integrations/crm/hubspot/webhook/")
        assert not both_widths(page, "crm created", prefix="crm-")
        hook = live_server.url + "/integrations/crm/hubspot/webhook/"
        won = {"deal_id": "D-7", "stage": "closedwon", "amount": "900", "won_date": "2026-03-02"}
        assert push(hook, secret, won, "msg_1") == 200
        assert push(hook, secret, {"deal_id": "D-404", "stage": "closedwon"}, "msg_2") == 404
        page.reload()

        rows = page.locator("#crm-pushes tbody tr")
        assert rows.count() == 2
        assert "Refused" in rows.nth(0).inner_text()
        assert "D-404" in rows.nth(0).inner_text()
        assert "Applied" in rows.nth(1).inner_text()
        assert f"#{lead.pk}" in rows.nth(1).inner_text()
        assert secret not in page.content()  # shown once only

        page.get_by_role("button", name="Disable").click()
        page.wait_for_url("**/integrations/crm/*/")
        assert "its pushes are refused" in page.content()
        assert push(hook, secret, won, "msg_3") == 400
        page.reload()
        assert rows.count() == 3
        latest = rows.nth(0).inner_text()
        assert "D-7" in latest
        assert "Refused" in latest
        # the reason as the CRM was answered (in the site's language: French)
        assert "désactivée" in latest
        assert not both_widths(page, "crm log", prefix="crm-")
        page.goto("/integrations/crm/")
        assert "HubSpot ventes" in page.locator("#crm-integrations").inner_text()
        assert "Disabled" in page.locator("#crm-integrations").inner_text()
        assert not both_widths(page, "crm list", prefix="crm-")
