"""Commissions' answers to the leads app's events (registered in CommissionsConfig.ready).
Each builds the event's unique key, so a handler run twice makes no second line."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from relais.commissions.choices import Trigger
from relais.commissions.services.employee_bonuses import employee_bonuses_claw_back
from relais.commissions.services.lines import Occasion, lines_accrue, lines_claw_back
from relais.leads.events import DealCollected, DealRefunded, LeadQualified, LeadWon
from relais.leads.models import Lead, LeadEvent


def on_lead_qualified(event: LeadQualified) -> None:
    lead = Lead.objects.get(pk=event.lead_id)
    day = timezone.localdate(lead.qualified_at) if lead.qualified_at else timezone.localdate()
    lines_accrue(occasion=Occasion(lead, Trigger.QUALIFIED, f"qualified:{lead.pk}", None, day))


def on_lead_won(event: LeadWon) -> None:
    lead = Lead.objects.get(pk=event.lead_id)
    day = lead.won_date or timezone.localdate()
    lines_accrue(occasion=Occasion(lead, Trigger.WON, f"won:{lead.pk}", lead.won_amount, day))


def on_deal_collected(event: DealCollected) -> None:
    lead = Lead.objects.get(pk=event.lead_id)
    entry = LeadEvent.objects.get(pk=event.event_id)
    amount = Decimal(entry.data["amount"])
    day = timezone.localdate(entry.at)
    lines_accrue(occasion=Occasion(lead, Trigger.COLLECTED, f"collected:{entry.pk}", amount, day))


def on_deal_refunded(event: DealRefunded) -> None:
    lead = Lead.objects.get(pk=event.lead_id)
    entry = LeadEvent.objects.get(pk=event.event_id)
    lines_claw_back(lead=lead, event=entry)
    employee_bonuses_claw_back(lead=lead, event=entry)  # the internal bonuses, likewise
