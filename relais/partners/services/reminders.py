"""Daily reminders: contracts about to expire, and the yearly conflict-of-interest declaration.

Each reminder is logged under a unique key before its e-mail goes out, so running the job twice
(a retried cron, two workers) never sends it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.core.http import absolute_url
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner, Reminder, Signature
from relais.partners.selectors import EXPIRY_NOTICE_DAYS

DECLARATION_EVERY_DAYS = 365
LIVE = (PartnerStatus.ACTIVE, PartnerStatus.PAUSED)


def _once(key: str) -> bool:
    """True the first time a key is claimed; the unique constraint settles races."""
    try:
        with transaction.atomic():
            Reminder.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def _mail(partner: Partner, subject: str, template: str, context: dict[str, object]) -> None:
    emails = [m.user.email for m in partner.members.all() if m.user.is_active] or [partner.email]
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {"partner": partner, **context})
        send_mail(subject, body, None, emails)


def _remind_expiring_contracts(now: datetime) -> int:
    horizon = now + timedelta(days=EXPIRY_NOTICE_DAYS)
    renewed = Signature.objects.filter(
        partner=OuterRef("partner"),
        template__kind=OuterRef("template__kind"),
        signed_at__gt=OuterRef("signed_at"),
    )
    expiring = (
        Signature.objects.filter(expires_at__lte=horizon, partner__status__in=LIVE)
        .exclude(Exists(renewed))
        .select_related("partner", "template")
        .prefetch_related("partner__members__user")
        .order_by("pk")
    )
    url = absolute_url(reverse("portal:documents"))
    sent = 0
    for signature in expiring.iterator(chunk_size=500):
        if not _once(f"renew:{signature.pk}"):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Your “%(title)s” expires soon") % {"title": signature.template.title}
        context = {"signature": signature, "url": url}
        _mail(signature.partner, subject, "partners/email/renewal.txt", context)
        sent += 1
    return sent


def _remind_yearly_declarations(now: datetime) -> int:
    due_before = now - timedelta(days=DECLARATION_EVERY_DAYS)
    partners = (
        Partner.objects.filter(status=PartnerStatus.ACTIVE)
        .annotate(last=Max("declarations__created_at"))
        .filter(Q(last__lte=due_before) | Q(last__isnull=True, created_at__lte=due_before))
        .prefetch_related("members__user")
        .order_by("pk")
    )
    url = absolute_url(reverse("portal:declarations"))
    sent = 0
    for partner in partners.iterator(chunk_size=500):
        if not _once(f"declare:{partner.pk}:{now.year}"):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Your yearly conflict-of-interest declaration")
        _mail(partner, subject, "partners/email/declaration.txt", {"url": url})
        sent += 1
    return sent


def reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Contracts about to expire and yearly declarations due, each partner reminded once."""
    now = now or timezone.now()
    return {
        "renewals": _remind_expiring_contracts(now),
        "declarations": _remind_yearly_declarations(now),
    }
