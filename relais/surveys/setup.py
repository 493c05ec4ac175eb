"""What the surveys app registers when ready: the ``LeadWon`` handler that makes customers, the
recurring sweep (surveys due, reminders, invitations, overdue follow-ups, stalled imports), and
the card of a reseller's NPS on the partner page and its column on routing's scorecard (the KPI
pages, the yearly review and its PDF), through the extension points those apps offer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_noop, ngettext

from relais.core import events, scheduling
from relais.leads.events import LeadWon
from relais.partners import extensions
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.routing import scorecard

if TYPE_CHECKING:
    from relais.surveys.selectors import Nps


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


def shown(nps: Nps) -> str:
    """ "42 (12 answers)"; "" (the scorecard's "—") with no answer, never 0."""
    if nps.score is None:
        return ""
    text = ngettext("%(score)s (%(n)s answer)", "%(score)s (%(n)s answers)", nps.answers)
    return text % {"score": nps.score, "n": nps.answers}


def scorecard_nps(ids: list[int], first: date, last: date) -> dict[int, str]:
    from relais.surveys.selectors import nps_of_resellers

    return {pk: shown(nps) for pk, nps in nps_of_resellers(ids, first, last).items()}


def network_nps(first: date, last: date) -> str:
    from relais.surveys.selectors import nps_total

    return shown(nps_total(first, last))


NPS_COLUMN = scorecard.Column(
    name="nps",
    label=gettext_noop("Customers' NPS"),
    values=scorecard_nps,
    overall=network_nps,
)


def register() -> None:
    from relais.surveys.customers import on_lead_won

    events.subscribe(LeadWon, on_lead_won)
    every = timedelta(minutes=settings.RELAIS_SURVEY_SWEEP_MINUTES)
    scheduling.register("surveys.sweep", every=every, job=sweep)
    extensions.add_panel(nps_panel)
    scorecard.add_column(NPS_COLUMN)
