"""What the surveys app registers when ready: the ``LeadWon`` handler that makes customers, the
recurring sweep (surveys due, reminders, invitations, overdue follow-ups, stalled imports), and
the card of a reseller's NPS on the partner page (routing's scorecard page sits below this app;
the partner page's panels are the extension point that exists)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from relais.core import events, scheduling
from relais.leads.events import LeadWon
from relais.partners import extensions
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner


def sweep(now: datetime) -> str:
    from relais.surveys import followups, imports, retention, sending

    queued = sending.surveys_queue_won(now)
    sent = sending.send_due(now)
    reminded = followups.reminders_send(now)
    imports.requeue_stalled(now)
    purged = retention.customers_retention_purge(now)
    return (
        f"{queued} queued, {sent['surveys']} sent, {sent['reminders']} reminders, "
        f"{sent['invitations']} invitations, {reminded} follow-up reminders, "
        f"{purged} customers anonymised"
    )


def nps_panel(partner: Partner) -> extensions.Panel | None:
    """A reseller's NPS, from the counters; no card for an introducer."""
    if partner.kind != PartnerKind.RESELLER:
        return None
    from relais.surveys.selectors import nps_of_reseller

    return extensions.Panel(
        template="surveys/partner_panel.html", data={"nps": nps_of_reseller(partner.pk)}
    )


def register() -> None:
    from relais.surveys.customers import on_lead_won

    events.subscribe(LeadWon, on_lead_won)
    every = timedelta(minutes=settings.RELAIS_SURVEY_SWEEP_MINUTES)
    scheduling.register("surveys.sweep", every=every, job=sweep)
    extensions.add_panel(nps_panel)
