"""The demo's example webhook endpoint: a CRM receiving leads and partner changes, disabled
(its address is an example: nothing listens there), so a manager sees what one looks like and
can point it at a real receiver. Idempotent: found again by its URL. And the CRM status sync's
example: a HubSpot integration with three leads being worked linked to their deals, so a push
(``POST /api/v1/crm/hubspot/deals``) has something to move."""

from __future__ import annotations

from contextlib import suppress

from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.demo.network import DEMO_DOMAIN
from relais.integrations.choices import CrmKind
from relais.integrations.crm import crm_push_receive
from relais.integrations.models import CrmIntegration, WebhookEndpoint
from relais.integrations.services import new_secret
from relais.leads.choices import LeadStatus
from relais.leads.crm import lead_crm_link
from relais.leads.models import Lead

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


def seed_crm(linked: int = 3) -> CrmIntegration:
    """The example CRM and its linked deals (``demo-1``, ``demo-2``…), made once."""
    crm, _created = CrmIntegration.objects.get_or_create(
        key="hubspot",
        defaults={"name": "HubSpot (démo)", "kind": CrmKind.HUBSPOT, "secret": new_secret()},
    )
    if not Lead.objects.filter(crm_source=crm.key).exists():
        worked = Lead.objects.filter(
            status__in=(LeadStatus.OPENED, LeadStatus.IN_PROGRESS), crm_deal_id=""
        ).order_by("pk")[:linked]
        for n, lead in enumerate(worked, 1):
            lead_crm_link(lead=lead, source=crm.key, deal_id=f"demo-{n}", actor=None)
    if not crm.pushes.exists():
        _example_pushes(crm)
    return crm


def _example_pushes(crm: CrmIntegration) -> None:
    """Two pushes in the integration's log (made once): deal ``demo-1`` moved on by the CRM, and
    one refused (a deal Relais does not know), so the page shows both outcomes."""
    for push in (
        {"deal_id": "demo-1", "stage": "contractsent"},
        {"deal_id": "demo-404", "stage": "closedwon", "amount": "1500", "won_date": "2026-01-15"},
    ):
        with suppress(DomainError):  # a refusal is logged: what the example shows
            crm_push_receive(integration=crm, push=push)
