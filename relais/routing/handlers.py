"""Routing's answers to the leads app's events (registered in RoutingConfig.ready)."""

from __future__ import annotations

from relais.leads.events import LeadQualified
from relais.routing.router import lead_route


def on_lead_qualified(event: LeadQualified) -> None:
    lead_route(lead_id=event.lead_id)
