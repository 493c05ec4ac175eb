"""Reminders before a certificate expires: one e-mail per certificate and delay (each of
``RELAIS_TRAINING_REMINDER_DAYS``, e.g. 30 and 7 days before), sent by the recurring job
``training.reminders``.

A compliance message, not a programme one: the partner must know that a module they need to
work will stop counting, so unsubscribing from the programme e-mails does not stop it (the
engagement app's ``blocked`` rule is not applied)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.core.http import absolute_url
from relais.engagement.models import Preference
from relais.partners.models import Partner
from relais.training.certificates import certificate_title
from relais.training.models import Certificate, ExpiryReminder

log = logging.getLogger(__name__)


def delays() -> list[int]:
    """The reminder delays in days, the widest first."""
    return sorted({d for d in settings.RELAIS_TRAINING_REMINDER_DAYS if d > 0}, reverse=True)


def due_certificates(now: datetime, widest: int) -> QuerySet[Certificate]:
    """Certificates expiring within ``widest`` days: not revoked, not yet expired, and not
    replaced by a newer one of the same module (who retook it has nothing to renew)."""
    newer = Certificate.objects.filter(
        partner=OuterRef("partner"),
        module=OuterRef("module"),
        version__gt=OuterRef("version"),
        revoked_at__isnull=True,
    )
    return (
        Certificate.objects.filter(
            revoked_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=widest),
        )
        .exclude(Exists(newer))
        .select_related("partner", "module", "path")
        .order_by("expires_at", "pk")
    )


def _claim(certificate: Certificate, now: datetime) -> int | None:
    """The delay to remind ``certificate`` for now, its reminder row written and committed; None
    when there is nothing to send (already reminded for the tightest delay that applies).

    At most once: the row is committed BEFORE the e-mail goes, so a rerun or a second sweep
    racing this one finds it (the unique constraint makes the two meet on one row) and sends
    nothing. A mail server that fails after the commit costs that one reminder (logged): a
    missed reminder is better than the same warning twice, and the next delay's still comes.
    """
    expires_at = certificate.expires_at
    applying = [d for d in delays() if expires_at and expires_at <= now + timedelta(days=d)]
    if not applying:
        return None
    tightest = applying[-1]
    with transaction.atomic():
        _row, created = ExpiryReminder.objects.get_or_create(
            certificate=certificate, days_before=tightest, defaults={"sent_at": now}
        )
        if not created:
            return None
        # The wider delays that passed unnoticed (the sweep did not run, the certificate was
        # issued with less time left) are marked too: their e-mail would say less, and later.
        ExpiryReminder.objects.bulk_create(
            [
                ExpiryReminder(certificate=certificate, days_before=d, sent_at=now)
                for d in applying[:-1]
            ],
            ignore_conflicts=True,
        )
    return tightest


def training_url() -> str:
    """The partner's training page on the portal."""
    try:
        return absolute_url(reverse("learning:home"))
    except NoReverseMatch:  # the portal part is not mounted yet
        return absolute_url("/portal/training/")


def recipients(partner: Partner) -> list[str]:
    """The partner's active members' addresses, else the partner's own."""
    members = [m.user.email for m in partner.members.select_related("user") if m.user.is_active]
    return [e for e in members if e] or [e for e in [partner.email] if e]


def reminder_send(*, certificate: Certificate, days: int, language: str) -> None:
    """The e-mail that ``certificate`` expires in about ``days`` days, in ``language``."""
    to = recipients(certificate.partner)
    if not to:
        return
    with translation.override(language):
        context = {
            "name": certificate.partner.display_name,
            "title": certificate_title(certificate),
            "expires_at": certificate.expires_at,
            "days": days,
            "url": training_url(),
        }
        subject = _("Your training certificate “%(title)s” expires soon") % context
        body = render_to_string("training/email/certificate_reminder.txt", context)
    send_mail(subject, body, None, to)


def reminders_send(*, now: datetime | None = None) -> str:
    """Send the reminders due at ``now``; a one-line summary."""
    now = now or timezone.now()
    if not delays():
        return "no reminder delays set"
    due = list(due_certificates(now, delays()[0]))
    languages = dict(
        Preference.objects.filter(partner_id__in={c.partner_id for c in due}).values_list(
            "partner_id", "language"
        )
    )
    sent = failed = 0
    for certificate in due:
        days = _claim(certificate, now)
        if days is None:
            continue
        language = languages.get(certificate.partner_id) or "fr"
        try:
            reminder_send(certificate=certificate, days=days, language=language)
        except Exception:  # one refused address must not hold back the others' reminders
            log.exception(
                "The expiry reminder of certificate %s could not be sent.", certificate.pk
            )
            failed += 1
        else:
            sent += 1
    return f"{sent} expiry reminders sent, {failed} failed"


def reminders_job(now: datetime) -> str:
    """The recurring job's entry point (``core.scheduling``)."""
    return reminders_send(now=now)
