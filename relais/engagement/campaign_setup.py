"""What the campaign part of engagement registers when the app is ready: the recurring sweep
(scheduled campaigns whose time came, campaigns whose worker went silent) and the campaigns a
partner received on their page's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core import resumable, scheduling
from relais.core.timeline import Entry
from relais.engagement.campaigns import enqueue
from relais.engagement.choices import CampaignState, RecipientState
from relais.engagement.models import Campaign, Recipient
from relais.partners import extensions
from relais.partners.models import Partner


def register() -> None:
    every = timedelta(seconds=settings.RELAIS_CAMPAIGN_SWEEP_SECONDS)
    scheduling.register("engagement.campaigns", every=every, job=campaigns_sweep)
    extensions.add_timeline_source(campaigns_received)


def campaigns_sweep(now: datetime) -> str:
    """Queue the scheduled campaigns that are due, and again those whose worker went silent
    (or, queued, whose task was lost with Redis)."""
    due = Campaign.objects.filter(state=CampaignState.SCHEDULED, scheduled_for__lte=now)
    started = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Conditional: a campaign cancelled meanwhile, or started by another sweep, stays.
            if Campaign.objects.filter(pk=pk, state=CampaignState.SCHEDULED).update(
                state=CampaignState.QUEUED, launched_at=now, heartbeat_at=now
            ):
                started.append(pk)
                transaction.on_commit(lambda pk=pk: enqueue(pk))  # type: ignore[misc]
    stalled = resumable.requeue_stalled(Campaign, enqueue)
    return f"{len(started)} started; {stalled}"


def campaigns_received(partner: Partner) -> Iterable[Entry]:
    """Each campaign e-mail the partner was sent, on their timeline."""
    rows = (
        Recipient.objects.filter(partner=partner, sent_at__isnull=False)
        .select_related("campaign")
        .order_by("-sent_at")
    )
    for row in rows:
        yield Entry(
            at=row.sent_at,  # type: ignore[arg-type]
            sentence=_("Campaign e-mail sent: %(name)s") % {"name": row.campaign.name},
            detail=_what_became(row),
        )


def _what_became(row: Recipient) -> str:
    if row.bounced_at or row.state == RecipientState.BOUNCED:
        return _("It bounced.")
    if row.clicked_at:
        return _("Opened, a link clicked.")
    if row.opened_at:
        return _("Opened.")
    if row.delivered_at:
        return _("Delivered.")
    return ""
