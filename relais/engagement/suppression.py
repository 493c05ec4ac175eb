"""The addresses no programme e-mail may go to: a hard bounce, a complaint (marked as spam) or an
unsubscription the provider reported for an address we cannot tie to a partner.

The list is keyed by the address lower-cased (``suppressed_among`` compares it so): the same
mailbox written ``Anne@Orange.fr`` on one partner and ``anne@orange.fr`` on another is one entry.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.engagement.choices import SuppressionReason
from relais.engagement.models import Suppression

# A complaint outranks a bounce, which outranks an unsubscription: the strongest reason is the
# one kept, so a later unsubscription never turns a complaint into something a resubscription
# would lift.
_RANK = {
    SuppressionReason.UNSUBSCRIBED: 0,
    SuppressionReason.HARD_BOUNCE: 1,
    SuppressionReason.COMPLAINT: 2,
}


def address_suppress(*, email: str, reason: str, detail: str = "") -> Suppression:
    """Put ``email`` on the suppression list. Idempotent, also when the provider sends the same
    event twice at once: the address is unique, and the loser of a race reads the winner's row
    (the first date is kept; a stronger reason replaces a weaker one)."""
    address = email.strip().lower()
    if not address:
        raise DomainError(_("An empty address cannot be suppressed."))
    reason = SuppressionReason(reason)
    try:
        with transaction.atomic():
            row, created = Suppression.objects.get_or_create(
                email=address,
                defaults={"reason": reason, "at": timezone.now(), "detail": detail[:300]},
            )
    except IntegrityError:  # created by a concurrent request between our read and our insert
        row, created = Suppression.objects.get(email=address), False
    if not created and _RANK[reason] > _RANK[SuppressionReason(row.reason)]:
        Suppression.objects.filter(pk=row.pk).update(reason=reason, detail=detail[:300])
        row.reason, row.detail = reason, detail[:300]
    return row


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email=email.strip().lower()).exists()
