"""``{% load routing_notes %}`` ``{{ lead|unassigned_why }}``: why the router could not place a
lead of the unassigned queue, in the reader's language (``routing.selectors.unassigned_queue``
annotates the note and its deferred message)."""

from __future__ import annotations

from typing import Any

from django import template

from relais.leads.timeline import system_note

register = template.Library()


@register.filter
def unassigned_why(lead: Any) -> str:
    says = getattr(lead, "unassigned_says", None)
    return system_note(getattr(lead, "unassigned_reason", "") or "", {"says": says})
