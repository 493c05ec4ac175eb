"""Issue 31: a manager registers a webhook endpoint (a real receiver on 127.0.0.1), copies its
secret, sends a test event and sees it delivered in the endpoint's log; the pages pass axe-core
and fit a phone's width, kept as screenshots."""

import pytest
from standardwebhooks import Webhook

from relais.integrations import services
from relais.integrations.models import WebhookEndpoint
from relais.integrations.tests.receiver import start
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_creates_an_endpoint_and_sees_a_delivery_in_the_log(
    browser, live_server, manager, settings
):
    settings.RELAIS_WEBHOOK_ALLOW_HTTP = True
    settings.RELAIS_WEBHOOK_ALLOW_PRIVATE = True
    receiver = start()
    try:
        with signed_in(browser, live_server, manager) as context:
            page = context.new_page()
            page.goto("/integrations/webhooks/")
            page.get_by_role("link", name="New endpoint").click()
            page.get_by_label("URL").fill(receiver.url)
            page.get_by_label("Description").fill("CRM HubSpot")
            page.locator("input[value='lead.created']").check()
            page.locator("input[value='partner.status_changed']").check()
            assert not both_widths(page, "webhooks new endpoint", prefix="webhooks-")
            page.get_by_role("button", name="Save the endpoint").click()
            page.wait_for_url("**/integrations/webhooks/*/")

            secret = page.locator("#secret code").inner_text()
            endpoint = WebhookEndpoint.objects.get()
            assert secret == endpoint.secret
            page.get_by_role("button", name="Send a test event").click()
            page.wait_for_url("**/integrations/webhooks/*/")
            services.deliver_all()  # the task worker's pass
            page.reload()

            row = page.locator("#deliveries tbody tr").first
            assert "webhook.test" in row.inner_text()
            assert "Delivered" in row.inner_text()
            (got,) = receiver.received
            assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
            assert not both_widths(page, "webhooks endpoint log", prefix="webhooks-")
            page.goto("/integrations/webhooks/")
            assert "CRM HubSpot" in page.locator("#endpoints").inner_text()
            assert not both_widths(page, "webhooks endpoints", prefix="webhooks-")
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
