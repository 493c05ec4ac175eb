"""Scheduled reports: subscriptions, their recipients (outside addresses confirmed by a signed
link before anything is sent to them), and the worker's sending, once per period.

Once per period, however often the job runs: the period's ``ReportSend`` and one
``ReportDelivery`` per recipient are written in one transaction, which the unique pair
(subscription, period) lets only one run commit. Each copy is then moved queued → sending and
COMMITTED before the mail server is given it, and marked sent after. A worker killed before
a copy was claimed leaves it queued: the next run sends it (nothing lost). One killed while
handing a copy over leaves it "sending": nobody can tell whether the server took it, so after
``STALE`` the next run marks it failed rather than send a second copy (as campaigns do).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.core.http import absolute_url
from relais.core.identifiers import normalize_email
from relais.reporting.choices import DeliveryState, Frequency
from relais.reporting.models import (
    ReportDelivery,
    ReportRecipient,
    ReportSend,
    ReportSubscription,
)
from relais.reporting.report_files import report_files

log = logging.getLogger(__name__)

CONFIRM_SALT = "relais.reporting.confirm"
UNSUBSCRIBE_SALT = "relais.reporting.unsubscribe"
CONFIRM_DAYS = 14
STALE = timedelta(minutes=30)  # a copy "sending" this long: its worker died handing it over
INTERRUPTED = gettext_noop("interrupted while sending: not resent, to avoid a second copy")
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Periods.


def period_start(*, frequency: str, day: date) -> date:
    """The first day of the week (Monday), month or quarter holding ``day``."""
    if frequency == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    if frequency == Frequency.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


# Signed links.


def confirm_token(recipient_id: int) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(recipient_id)


def unsubscribe_token(recipient_id: int) -> str:
    # Unstamped: an unsubscribe link must work for as long as mails are sent (RFC 8058).
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(recipient_id)


def recipient_from_token(token: str, *, purpose: str) -> ReportRecipient | None:
    """The recipient a link names; None for a forged, mangled or (confirmation) expired one."""
    try:
        if purpose == "confirm":
            signer = signing.TimestampSigner(salt=CONFIRM_SALT)
            pk = signer.unsign_object(token, max_age=CONFIRM_DAYS * 86400)
        else:
            pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(pk, int):
        return None
    return ReportRecipient.objects.select_related("subscription").filter(pk=pk).first()


# Subscriptions.


def _emails(text: str) -> list[str]:
    """The outside addresses typed one a line (or separated by commas), each checked."""
    found = []
    for raw in text.replace(",", "\n").replace(";", "\n").splitlines():
        if not raw.strip():
            continue
        try:
            found.append(normalize_email(raw.strip()))
        except ValidationError:
            raise DomainError(
                _("Outside addresses: %(email)s is not an e-mail address.") % {"email": raw},
                code="email",
            ) from None
    return list(dict.fromkeys(found))


def subscription_save(
    *,
    subscription: ReportSubscription,
    users: Iterable[User],
    outside: str,
    by: User | None,
) -> ReportSubscription:
    """Create or update a subscription and its recipients: the users chosen (confirmed at
    once), the outside addresses typed (each new one mailed a confirmation link); recipients
    no longer listed are removed."""
    emails = _emails(outside)
    chosen = {u.email.lower(): u for u in users}
    if not chosen and not emails:
        raise DomainError(
            _("Recipients: choose at least one user or outside address."), code="no_recipient"
        )
    with transaction.atomic():
        if subscription.pk is None:
            subscription.created_by = by
        subscription.full_clean()
        subscription.save()
        existing = {r.email.lower(): r for r in subscription.recipients.all()}
        wanted = set(chosen) | {e.lower() for e in emails}
        subscription.recipients.exclude(
            pk__in=[r.pk for k, r in existing.items() if k in wanted]
        ).delete()
        now, to_confirm = timezone.now(), []
        for key, user in chosen.items():
            row = existing.get(key)
            if row is None:
                ReportRecipient.objects.create(
                    subscription=subscription, user=user, email=user.email, confirmed_at=now
                )
            elif row.user_id != user.pk or row.confirmed_at is None:
                row.user, row.confirmed_at = user, row.confirmed_at or now
                row.save(update_fields=["user", "confirmed_at"])
        for email in emails:
            if email.lower() in existing or email.lower() in chosen:
                continue
            row = ReportRecipient.objects.create(subscription=subscription, email=email)
            to_confirm.append(row.pk)
    for pk in to_confirm:
        transaction.on_commit(lambda pk=pk: confirmation_send(recipient_id=pk))  # type: ignore[misc]
    return subscription


def confirmation_send(*, recipient_id: int) -> bool:
    """Mail an outside address the link that confirms it wants the report (nothing else is
    sent to it before); False when it is gone or already confirmed."""
    recipient = (
        ReportRecipient.objects.select_related("subscription").filter(pk=recipient_id).first()
    )
    if recipient is None or recipient.confirmed_at is not None:
        return False
    subscription = recipient.subscription
    link = absolute_url(reverse("report_links:confirm", args=[confirm_token(recipient.pk)]))
    with translation.override(subscription.language):
        subject = _("Confirm that you want the report “%(name)s”") % {"name": subscription.name}
        body = render_to_string(
            "reporting/email/confirm.txt",
            {"subscription": subscription, "link": link, "days": CONFIRM_DAYS},
        )
    EmailMultiAlternatives(subject, body, None, [recipient.email]).send()
    return True


def recipient_confirm(*, recipient: ReportRecipient) -> ReportRecipient:
    """The outside address's owner confirmed: it receives the next reports (idempotent)."""
    ReportRecipient.objects.filter(pk=recipient.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), unsubscribed_at=None
    )
    recipient.refresh_from_db()
    return recipient


def recipient_unsubscribe(*, recipient: ReportRecipient) -> ReportRecipient:
    """No more copies of this report to this address (idempotent); queued copies are dropped."""
    with transaction.atomic():
        ReportRecipient.objects.filter(pk=recipient.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        ReportDelivery.objects.filter(recipient=recipient, state=DeliveryState.QUEUED).update(
            state=DeliveryState.FAILED, failure="unsubscribed"
        )
    recipient.refresh_from_db()
    return recipient


# Sending.


def _open_due(now: datetime) -> int:
    """Write the period's send and its copies for each subscription whose period has none."""
    today = timezone.localdate(now)
    opened = 0
    for subscription in ReportSubscription.objects.filter(active=True).order_by("pk"):
        period = period_start(frequency=subscription.frequency, day=today)
        if ReportSend.objects.filter(subscription=subscription, period=period).exists():
            continue
        receiving = list(
            subscription.recipients.filter(
                confirmed_at__isnull=False, unsubscribed_at__isnull=True
            ).values_list("pk", flat=True)
        )
        if not receiving:
            continue  # nobody to send it to yet: the period stays open for a later run
        try:
            with transaction.atomic():  # the unique pair: one run only commits this period
                send = ReportSend.objects.create(
                    subscription=subscription, period=period, created_at=now
                )
                ReportDelivery.objects.bulk_create(
                    ReportDelivery(send=send, recipient_id=pk) for pk in receiving
                )
        except IntegrityError:
            continue  # another run wrote this period just now
        opened += 1
    return opened


def _mark_interrupted(now: datetime) -> int:
    return ReportDelivery.objects.filter(
        state=DeliveryState.SENDING, claimed_at__lt=now - STALE
    ).update(state=DeliveryState.FAILED, failure=INTERRUPTED)


def _message(
    send: ReportSend, recipient: ReportRecipient, files: tuple[bytes, bytes]
) -> EmailMultiAlternatives:
    subscription = send.subscription
    unsubscribe = absolute_url(
        reverse("report_links:unsubscribe", args=[unsubscribe_token(recipient.pk)])
    )
    dashboard = absolute_url(reverse("reporting:dashboard") + "?" + subscription.filters)
    context = {
        "subscription": subscription,
        "period": send.period,
        "unsubscribe": unsubscribe,
        "dashboard": dashboard,
        "user": recipient.user,
    }
    with translation.override(subscription.language):
        text = render_to_string("reporting/email/report.txt", context)
        html = render_to_string("reporting/email/report.html", context)
    message = EmailMultiAlternatives(
        subscription.subject,
        text,
        None,
        [recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    stem = f"{slugify(subscription.name) or 'report'}-{send.period:%Y-%m-%d}"
    message.attach(f"{stem}.pdf", files[0], PDF_TYPE)
    message.attach(f"{stem}.xlsx", files[1], XLSX_TYPE)
    return message


def _send_copies(send: ReportSend, now: datetime) -> int:
    queued = ReportDelivery.objects.filter(send=send, state=DeliveryState.QUEUED)
    if not queued.exists():
        return 0
    subscription = send.subscription
    files = report_files(
        querystring=subscription.filters, title=subscription.name, language=subscription.language
    )
    sent = 0
    with mailers.default as connection:
        for delivery in queued.select_related("recipient").order_by("pk"):
            # Claimed and committed before the server sees the message (see the module).
            if not ReportDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.QUEUED).update(
                state=DeliveryState.SENDING, claimed_at=timezone.now()
            ):
                continue  # another run took it
            try:
                connection.send_messages([_message(send, delivery.recipient, files)])
            except Exception as exc:  # the server's refusal, kept on the copy
                log.warning("Report copy %s failed: %s", delivery.pk, exc)
                ReportDelivery.objects.filter(pk=delivery.pk).update(
                    state=DeliveryState.FAILED, failure=str(exc)[:300]
                )
                continue
            ReportDelivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.SENT, sent_at=timezone.now()
            )
            sent += 1
    return sent


def reports_send_due(*, now: datetime) -> int:
    """The worker's pass: open the periods due, then send every copy still queued (those of
    a run killed earlier too); returns the copies sent."""
    _mark_interrupted(now)
    _open_due(now)
    sent = 0
    pending = ReportSend.objects.filter(finished_at__isnull=True).select_related("subscription")
    for send in pending.order_by("pk"):
        sent += _send_copies(send, now)
        if not send.deliveries.filter(
            state__in=(DeliveryState.QUEUED, DeliveryState.SENDING)
        ).exists():
            ReportSend.objects.filter(pk=send.pk).update(finished_at=timezone.now())
    return sent


def reports_job(now: datetime) -> str:
    """The recurring job (``core.scheduling``)."""
    return f"{reports_send_due(now=now)} report(s) sent"


def reports_register() -> None:
    from relais.core import scheduling

    every = timedelta(seconds=settings.RELAIS_REPORTS_SWEEP_SECONDS)
    scheduling.register("reporting.reports", every=every, job=reports_job)
