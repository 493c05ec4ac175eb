"""What a partner agreed to receive: the signed links of every programme e-mail (one-click
unsubscribe, the preference page) and the rule that blocks a programme e-mail.

The links carry the partner's id signed with the secret key (``django.core.signing``), so they
work without logging in and cannot be made up for another partner; they do not expire, as an
unsubscribe link read a year later must still work (RFC 8058 asks it to work "for some time").
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from relais.core.http import absolute_url
from relais.engagement.choices import SkipReason, Topic
from relais.engagement.models import Preference, Suppression
from relais.partners.models import Partner

SALT = "relais.engagement.mail"


def partner_token(partner: Partner) -> str:
    return signing.dumps(partner.pk, salt=SALT, compress=False)


def partner_from_token(token: str) -> Partner | None:
    """The partner a link was made for; None for a forged or mangled token."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return Partner.objects.filter(pk=pk).first() if isinstance(pk, int) else None


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
