"""The worker's job for one campaign, in two phases, each safe to take up again after the
worker was killed (``core.resumable``).

Phase 1 writes one ``Recipient`` row per partner of the audience, a chunk of partner ids at a
time in id order (the memory stays flat for 50,000 partners): who is skipped and why, who is
held out (drawn from the campaign's recorded seed and the partner's id, so the same campaign
always holds out the same partners), who is queued. Each chunk commits with its checkpoint, the
last partner id written; a run taken up again goes on after it, and the rows' unique pair makes
a chunk written twice harmless.

Phase 2 sends the queued rows in id order at the campaign's rate. Each row is moved
queued → sending and COMMITTED before the mail server is given the message, then marked sent
(or failed with the server's reason). So a worker killed at any point leaves at most one row
"sending": the one whose message it was handing over. Nobody can tell whether that message left
(the server may have taken it just before the kill), so the next run marks that row failed and
does not send it again: at most one partner may miss the campaign, none gets it twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from relais.core import resumable
from relais.engagement import mailing, merge, preferences
from relais.engagement.campaigns import audience_partners
from relais.engagement.choices import CampaignState, RecipientState
from relais.engagement.models import Campaign, Preference, Recipient
from relais.partners.models import Partner

log = logging.getLogger(__name__)

CHUNK = 1000  # partners per phase-1 transaction
BATCH = 100  # recipients whose figures are computed at once in phase 2
# Stored in English on the row (beside the SMTP servers' own texts); a page shows it through
# gettext: the msgid is marked here.
INTERRUPTED = gettext_noop("interrupted while sending: not resent, to avoid a second copy")


def held_out(seed: int, partner_id: int, share: Decimal) -> bool:
    """Whether the campaign of ``seed`` holds this partner out: a hash of the pair read as a
    number in [0, 1), the same on every run and every machine (Python's ``hash`` and
    ``random`` are not), below ``share`` for about that share of the partners."""
    digest = hashlib.sha256(f"{seed}:{partner_id}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64) < share


def campaign_run(*, campaign_id: int) -> int:
    """The task's body: write the recipients, then send them; returns how many this run sent.
    A campaign finished, cancelled, or alive in another worker is left alone."""
    hold = resumable.claim(Campaign, campaign_id)
    if hold is None:
        return 0
    campaign = Campaign.objects.select_related("template").get(pk=campaign_id)
    try:
        if campaign.queued_count is None:
            _write_recipients(campaign, hold)
        sent = _send_all(campaign, hold)
    except resumable.Superseded:
        return 0  # a later run took over: it sends the rest
    except Exception as exc:  # rows written and sent so far stay; a retry goes on after them
        resumable.finish(Campaign, hold, state=CampaignState.FAILED, failure=str(exc)[:2000])
        raise
    resumable.finish(Campaign, hold, state=CampaignState.SENT, finished_at=timezone.now())
    return sent


# Phase 1: the recipient rows.


def _id_chunks(campaign: Campaign, after: int) -> Iterator[list[int]]:
    """The audience's partner ids after ``after``, in id order, a chunk at a time (keyset
    pagination: each chunk one indexed query, nothing held but the chunk)."""
    audience = audience_partners(campaign).order_by("pk").values_list("pk", flat=True)
    while ids := list(audience.filter(pk__gt=after)[:CHUNK]):
        yield ids
        after = ids[-1]


def _write_recipients(campaign: Campaign, hold: resumable.Claim) -> None:
    for ids in _id_chunks(campaign, hold.resume_after):
        rows = _rows(campaign, ids)
        with transaction.atomic():
            Recipient.objects.bulk_create(rows, ignore_conflicts=True)
            resumable.checkpoint(Campaign, hold, through=ids[-1])
    with transaction.atomic():
        queued = Recipient.objects.filter(campaign=campaign, state=RecipientState.QUEUED).count()
        resumable.keep(Campaign, hold, queued_count=queued)
        resumable.checkpoint(Campaign, hold)
    campaign.queued_count = queued


def _rows(campaign: Campaign, ids: list[int]) -> list[Recipient]:
    emails = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "email"))
    stored = {p.partner_id: p for p in Preference.objects.filter(partner_id__in=ids)}
    suppressed = preferences.suppressed_among(list(emails.values()))
    topic = campaign.template.topic
    rows = []
    for pk in ids:
        email = (emails.get(pk) or "").strip()
        preference = stored.get(pk) or Preference(partner_id=pk)
        reason = preferences.blocked(preference, email, topic, email.lower() in suppressed)
        row = Recipient(campaign=campaign, partner_id=pk, email=email, language=preference.language)
        if reason:
            row.state, row.skip_reason = RecipientState.SKIPPED, reason
        # Drawn among the partners who could receive it only: the holdout and the recipients
        # are then alike but for the e-mail, which is what the report compares.
        elif held_out(campaign.holdout_seed, pk, campaign.holdout_share):
            row.state = RecipientState.HOLDOUT
        rows.append(row)
    return rows


# Phase 2: the sending.


@dataclass
class Pace:
    """At most ``rate`` messages a minute: each send waits for its slot."""

    rate: int
    next_at: float = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + 60 / self.rate


def _mark_interrupted(campaign: Campaign) -> None:
    """Rows a killed run left "sending": their message may have left, or not; resending would
    give a second copy to whoever got the first, so they are failed, not sent again (one at
    most per killed run, since each run sends one message at a time)."""
    Recipient.objects.filter(campaign=campaign, state=RecipientState.SENDING).update(
        state=RecipientState.FAILED, failure=INTERRUPTED
    )


def _queued_batches(campaign: Campaign) -> Iterator[list[Recipient]]:
    after = 0
    queued = Recipient.objects.filter(campaign=campaign, state=RecipientState.QUEUED)
    while batch := list(
        queued.filter(pk__gt=after).select_related("partner").order_by("pk")[:BATCH]
    ):
        yield batch
        after = batch[-1].pk


def _send_all(campaign: Campaign, hold: resumable.Claim) -> int:
    _mark_interrupted(campaign)
    pace, sent = Pace(campaign.rate_per_minute), 0
    with mailers.default as connection:
        for batch in _queued_batches(campaign):
            figures = merge.figures_for(
                [r.partner for r in batch], languages={r.partner_id: r.language for r in batch}
            )
            for row in batch:
                pace.wait()
                message = _message(campaign, row, figures[row.partner_id])
                sent += _send_one(row, message, connection, hold)
    return sent


def _message(campaign: Campaign, row: Recipient, figures: dict) -> EmailMultiAlternatives:
    written = mailing.write(campaign.template, language=row.language, figures=figures)
    return mailing.programme_message(
        partner=row.partner,
        email=row.email,
        language=row.language,
        topic=campaign.template.topic,
        subject=written.subject,
        body=written.body,
    )


def _send_one(
    row: Recipient,
    message: EmailMultiAlternatives,
    connection: BaseEmailBackend,
    hold: resumable.Claim,
) -> int:
    """One recipient: marked "sending" and committed (with the job's sign of life) before the
    server sees the message, then marked with what the server said."""
    with transaction.atomic():
        if not Recipient.objects.filter(pk=row.pk, state=RecipientState.QUEUED).update(
            state=RecipientState.SENDING
        ):
            return 0  # another run took this row
        resumable.checkpoint(Campaign, hold)  # Superseded: rolled back, this run stops
    try:
        connection.send_messages([message])
    except Exception as exc:  # the server refused it or went away: this row failed, go on
        log.warning("Campaign e-mail to recipient %s failed: %s", row.pk, exc)
        Recipient.objects.filter(pk=row.pk).update(
            state=RecipientState.FAILED, failure=(str(exc) or type(exc).__name__)[:300]
        )
        connection.close()  # the next message opens a fresh connection
        return 0
    # Unconditional: the message left, whatever a run that took over wrote meanwhile.
    Recipient.objects.filter(pk=row.pk).update(
        state=RecipientState.SENT, message_id=mailing.message_id(message), sent_at=timezone.now()
    )
    return 1
