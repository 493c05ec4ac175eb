"""What a partner agreed to receive: the signed links of every programme e-mail (one-click
unsubscribe, the preference page) and the rule that blocks a programme e-mail.

The links carry the partner's id signed with the secret key (``django.core.signing``), so they
work without logging in and cannot be made up for another partner; they do not expire, as an
unsubscribe link read a year later must still work (RFC 8058 asks it to work "for some time").
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.core.http import absolute_url
from relais.engagement.choices import SkipReason, SuppressionReason, Topic
from relais.engagement.models import Preference, Recipient, Suppression
from relais.partners.models import Partner

logger = logging.getLogger(__name__)

SALT = "relais.engagement.mail"


def partner_token(partner: Partner) -> str:
    # Unstamped, so one partner's link is the same in every message and every part of one
    # (a timestamped token changed with the second it was made in).
    return signing.Signer(salt=SALT).sign_object(partner.pk)


def partner_from_token(token: str) -> Partner | None:
    """The partner a link was made for; None for a forged or mangled token."""
    pk = _signed_pk(token)
    return Partner.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def _signed_pk(token: str) -> object:
    # value:signature, or value:timestamp:signature for the links of the messages sent before
    # the links were unstamped (a TimestampSigner signs "value:timestamp", so the plain signer
    # would accept those and return the value with its timestamp glued on).
    stamped = token.count(signing.Signer().sep) == 2
    try:
        if stamped:
            return signing.loads(token, salt=SALT)
        return signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_url(partner: Partner) -> str:
    return absolute_url(reverse("mail:unsubscribe", args=[partner_token(partner)]))


def preferences_url(partner: Partner) -> str:
    return absolute_url(reverse("mail:preferences", args=[partner_token(partner)]))


def preference_of(partner: Partner) -> Preference:
    """The partner's preference, unsaved defaults (everything, in French) when none is stored."""
    found = Preference.objects.filter(partner=partner).first()
    return found or Preference(partner=partner)


def blocked(preference: Preference, email: str, topic: str, suppressed: bool) -> str | None:
    """Why a programme e-mail on ``topic`` may not go to this address (a ``SkipReason``), or
    None. ``suppressed`` says whether the address is on the suppression list (looked up in
    bulk by the caller, see ``suppressed_among``)."""
    if not email:
        return SkipReason.NO_EMAIL
    if suppressed:
        return SkipReason.SUPPRESSED
    if preference.unsubscribed_at is not None or not getattr(preference, Topic(topic).value):
        return SkipReason.UNSUBSCRIBED
    return None


def suppressed_among(emails: list[str]) -> set[str]:
    """The addresses of ``emails`` on the suppression list (compared lower-cased)."""
    lowered = {e.lower() for e in emails if e}
    found = Suppression.objects.filter(email__in=lowered).values_list("email", flat=True)
    return {e.lower() for e in found}


# --- Services: what a partner changes -----------------------------------------------------------


def _stored(partner: Partner) -> Preference:
    """The partner's row, created with the defaults the first time it is written; locked, so two
    requests (a click and the provider's unsubscribe webhook) never lose one another's change."""
    Preference.objects.get_or_create(partner=partner)
    return Preference.objects.select_for_update().get(partner=partner)


def preference_update(
    *, partner: Partner, language: str, news: bool, challenges: bool, digest: bool
) -> Preference:
    """Store what ``partner`` agreed to receive and in which language. Choosing at least one
    topic again is a resubscription: the partner said what they want, so it is no longer
    "nothing". An unsubscribed partner saving with nothing ticked changes only the language (the
    topics chosen before are what "Subscribe again" brings back)."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Language %(language)s: not one of ours.") % {"language": language})
    with transaction.atomic():
        preference = _stored(partner)
        preference.language = language
        if news or challenges or digest or preference.unsubscribed_at is None:
            preference.news, preference.challenges, preference.digest = news, challenges, digest
            preference.unsubscribed_at = None
        preference.save()
    if preference.unsubscribed_at is None:
        _lift_unsubscribed(partner)
    return preference


def partner_unsubscribe(
    *, partner: Partner, via: str, recipient: Recipient | None = None
) -> Preference:
    """Unsubscribe ``partner`` from every programme e-mail (contractual and payment e-mails are
    never blocked). ``via`` says how ("link", "one-click", "preferences", "portal", "provider")
    and is logged. Idempotent: a second click, or the provider retrying its webhook, keeps the
    first date. The campaign that made them leave is marked on its recipient row (``recipient``
    when the provider named the message, else the latest campaign they were sent)."""
    with transaction.atomic():
        preference = _stored(partner)
        if preference.unsubscribed_at is None:
            preference.unsubscribed_at = timezone.now()
            preference.save(update_fields=["unsubscribed_at", "updated_at"])
            logger.info("partner %s unsubscribed (%s)", partner.pk, via)
        row = recipient or _latest_received(partner)
        if row is not None and row.unsubscribed_at is None:
            Recipient.objects.filter(pk=row.pk, unsubscribed_at=None).update(
                unsubscribed_at=preference.unsubscribed_at
            )
    return preference


def partner_resubscribe(*, partner: Partner) -> Preference:
    """Undo an unsubscription: the topics chosen before are kept, and an address suppressed only
    because it unsubscribed is lifted (a hard bounce or a complaint stays)."""
    with transaction.atomic():
        preference = _stored(partner)
        if preference.unsubscribed_at is not None:
            preference.unsubscribed_at = None
            preference.save(update_fields=["unsubscribed_at", "updated_at"])
    _lift_unsubscribed(partner)
    return preference


def _latest_received(partner: Partner) -> Recipient | None:
    return (
        Recipient.objects.filter(partner=partner, sent_at__isnull=False)
        .order_by("-sent_at", "-pk")
        .first()
    )


def _lift_unsubscribed(partner: Partner) -> None:
    if partner.email:
        Suppression.objects.filter(
            email=partner.email.lower(), reason=SuppressionReason.UNSUBSCRIBED
        ).delete()
