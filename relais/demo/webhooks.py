"""The demo's example webhook endpoint: a CRM receiving leads and partner changes, disabled
(its address is an example: nothing listens there), so a manager sees what one looks like and
can point it at a real receiver. Idempotent: found again by its URL."""

from __future__ import annotations

from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.demo.network import DEMO_DOMAIN
from relais.integrations.models import WebhookEndpoint
from relais.integrations.services import new_secret

EXAMPLE_URL = "https://crm.example.com/hooks/relais"
EVENTS = ["lead.created", "lead.status_changed", "lead.won", "partner.status_changed"]


def seed_webhooks() -> WebhookEndpoint:
    # Written directly, not through endpoint_create: that resolves the host, and the demo is
    # built without a network.
    endpoint, _created = WebhookEndpoint.objects.get_or_create(
        url=EXAMPLE_URL,
        defaults={
            "description": "CRM (exemple)",
            "event_types": EVENTS,
            "enabled": False,
            "disabled_reason": _("Example endpoint: point it at your receiver, then enable it."),
            "secret": new_secret(),
            "owner": User.objects.filter(email=f"manager@{DEMO_DOMAIN}").first(),
        },
    )
    return endpoint
