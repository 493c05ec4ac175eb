"""Queuing and sending the surveys, their single reminder and the promoters' invitations.

Queuing: one ``SurveyRequest`` per customer and occasion (a unique pair), and none for a
customer surveyed within the throttle window — checked and marked under the customer's row
lock, so two sweeps (or a sweep and a manager) at once queue one survey.

Sending follows the campaigns (``engagement.sending``): each row is moved queued → sending and
COMMITTED before the mail server is given the message, then marked sent. A worker killed in
between leaves the row "sending"; the next sweep, once the row has been silent long enough to
be sure no worker holds it, marks it failed and does not send it again: nobody gets a second
copy. The reminder and the invitation go through the same steps on their own columns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from relais.engagement import mailing
from relais.engagement.choices import SkipReason
from relais.engagement.preferences import suppressed_among
from relais.surveys import mail
from relais.surveys.choices import CustomerSource, SendState
from relais.surveys.models import Customer, Invitation, SurveyRequest

log = logging.getLogger(__name__)

BATCH = 200
# A row "sending" for this long has lost its worker (a send takes seconds).
STALE = timedelta(minutes=15)
INTERRUPTED = gettext_noop("interrupted while sending: not resent, to avoid a second copy")


def throttle_start(now: datetime) -> datetime:
    return now - timedelta(days=settings.RELAIS_SURVEY_THROTTLE_DAYS)


def survey_queue(*, customer_id: int, occasion: str, now: datetime) -> SurveyRequest | None:
    """Queue a survey for one customer, or None when they were surveyed within the throttle
    window (or this occasion was queued already)."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            return None
        if customer.last_surveyed_at and customer.last_surveyed_at > throttle_start(now):
            return None
        try:
            with transaction.atomic():
                request = SurveyRequest.objects.create(
                    customer=customer, occasion=occasion, created_at=now
                )
        except IntegrityError:  # this occasion was queued before
            return None
        Customer.objects.filter(pk=customer_id).update(last_surveyed_at=now)
    return request


def surveys_queue_set(*, customer_ids: Iterable[int], occasion: str, now: datetime) -> int:
    """A manager's chosen customers: how many were queued (the others are within the window)."""
    return sum(
        survey_queue(customer_id=pk, occasion=occasion, now=now) is not None for pk in customer_ids
    )


def surveys_queue_won(now: datetime) -> int:
    """Every customer whose deal was won ``RELAIS_SURVEY_DELAY_DAYS`` ago or more and who has
    no survey for it yet; the throttle window decides for the others."""
    due = now - timedelta(days=settings.RELAIS_SURVEY_DELAY_DAYS)
    candidates = (
        Customer.objects.filter(
            source=CustomerSource.WON_LEAD, won_at__lte=due, anonymised_at__isnull=True
        )
        .filter(Q(last_surveyed_at__isnull=True) | Q(last_surveyed_at__lte=throttle_start(now)))
        .values_list("pk", "lead_id")
    )
    queued = 0
    for pk, lead_id in candidates.iterator(chunk_size=2000):
        occasion = f"won:{lead_id or 'customer-' + str(pk)}"
        queued += survey_queue(customer_id=pk, occasion=occasion, now=now) is not None
    return queued


# --- the claim-then-send steps, for three kinds of row ---------------------------------------


def _handover(
    claim: Callable[[], bool],
    message: EmailMultiAlternatives,
    done: Callable[[str], object],
    failed: Callable[[str], object],
    connection: object,
) -> int:
    """Claim (committed), hand over, then mark; 1 when the server took the message."""
    with transaction.atomic():
        if not claim():
            return 0  # another run took it
    try:
        connection.send_messages([message])  # type: ignore[attr-defined]
    except Exception as exc:  # this one failed; the next goes on a fresh connection
        log.warning("Survey e-mail failed: %s", exc)
        failed((str(exc) or type(exc).__name__)[:300])
        connection.close()  # type: ignore[attr-defined]
        return 0
    done(mailing.message_id(message))
    return 1


def _send_surveys(now: datetime, connection: object) -> int:
    SurveyRequest.objects.filter(state=SendState.SENDING, sending_at__lt=now - STALE).update(
        state=SendState.FAILED, failure=INTERRUPTED
    )
    # Answered before it went (the manager's test link, a second survey's page): not sent.
    SurveyRequest.objects.filter(state=SendState.QUEUED, answer__isnull=False).update(
        state=SendState.SKIPPED, skip_reason="answered"
    )
    sent, after = 0, 0
    queued = SurveyRequest.objects.filter(state=SendState.QUEUED).select_related("customer")
    while batch := list(queued.filter(pk__gt=after).order_by("pk")[:BATCH]):
        after = batch[-1].pk
        suppressed = suppressed_among([r.customer.email for r in batch])
        for row in batch:
            sent += _send_survey(row, now, connection, suppressed)
    return sent


def _skip_reason(email: str, suppressed: set[str]) -> str:
    if not email:
        return SkipReason.NO_EMAIL
    return SkipReason.SUPPRESSED if email.lower() in suppressed else ""


def _send_survey(row: SurveyRequest, now: datetime, connection: object, suppressed: set) -> int:
    rows = SurveyRequest.objects.filter(pk=row.pk)
    if reason := _skip_reason(row.customer.email, suppressed):
        rows.filter(state=SendState.QUEUED).update(state=SendState.SKIPPED, skip_reason=reason)
        return 0
    return _handover(
        lambda: bool(
            rows.filter(state=SendState.QUEUED).update(state=SendState.SENDING, sending_at=now)
        ),
        mail.survey_message(row),
        lambda mid: rows.update(state=SendState.SENT, sent_at=now, message_id=mid),
        lambda why: rows.update(state=SendState.FAILED, failure=why),
        connection,
    )


def _send_reminders(now: datetime, connection: object) -> int:
    """One reminder at most: ``reminder_state`` leaves "" once and never comes back to it."""
    SurveyRequest.objects.filter(
        reminder_state=SendState.SENDING, reminder_sending_at__lt=now - STALE
    ).update(reminder_state=SendState.FAILED)
    due = now - timedelta(days=settings.RELAIS_SURVEY_REMINDER_DAYS)
    rows = (
        SurveyRequest.objects.filter(
            state=SendState.SENT, reminder_state="", sent_at__lte=due, answer__isnull=True
        )
        .filter(created_at__gt=now - timedelta(days=settings.RELAIS_SURVEY_TOKEN_DAYS))
        .select_related("customer")
    )
    sent = 0
    for row in rows.iterator(chunk_size=BATCH):
        if _skip_reason(row.customer.email, suppressed_among([row.customer.email])):
            SurveyRequest.objects.filter(pk=row.pk).update(reminder_state=SendState.SKIPPED)
            continue
        sent += _remind(row, now, connection)
    return sent


def _remind(row: SurveyRequest, now: datetime, connection: object) -> int:
    one = SurveyRequest.objects.filter(pk=row.pk)
    return _handover(
        lambda: bool(
            one.filter(reminder_state="").update(
                reminder_state=SendState.SENDING, reminder_sending_at=now
            )
        ),
        mail.survey_message(row, reminder=True),
        lambda _mid: one.update(reminder_state=SendState.SENT, reminder_sent_at=now),
        lambda _why: one.update(reminder_state=SendState.FAILED),
        connection,
    )


def _send_invitations(now: datetime, connection: object) -> int:
    # ``sent_at`` is set at the claim: for a row "sending", it is when its send began.
    Invitation.objects.filter(state=SendState.SENDING, sent_at__lt=now - STALE).update(
        state=SendState.FAILED
    )
    sent = 0
    rows = Invitation.objects.filter(
        state=SendState.QUEUED, accepted_at__isnull=True
    ).select_related("customer")
    for row in rows.iterator(chunk_size=BATCH):
        if _skip_reason(row.customer.email, suppressed_among([row.customer.email])):
            Invitation.objects.filter(pk=row.pk).update(state=SendState.SKIPPED)
            continue
        sent += _invite(row, now, connection)
    return sent


def _invite(row: Invitation, now: datetime, connection: object) -> int:
    one = Invitation.objects.filter(pk=row.pk)
    return _handover(
        lambda: bool(
            one.filter(state=SendState.QUEUED).update(state=SendState.SENDING, sent_at=now)
        ),
        mail.invitation_message(row),
        lambda _mid: one.update(state=SendState.SENT, sent_at=now),
        lambda _why: one.update(state=SendState.FAILED),
        connection,
    )


def send_due(now: datetime) -> dict[str, int]:
    """Everything due now: queued surveys, reminders, invitations."""
    with mailers.default as connection:
        return {
            "surveys": _send_surveys(now, connection),
            "reminders": _send_reminders(now, connection),
            "invitations": _send_invitations(now, connection),
        }
