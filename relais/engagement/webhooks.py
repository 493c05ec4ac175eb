"""What the e-mail provider tells us about a message it sent: delivered, bounced, marked as spam,
opened, clicked, unsubscribed. Anymail's webhook views parse each provider's format (and check its
secret and signature) into one normalised ``AnymailTrackingEvent`` and hand it over through its
``tracking`` Django signal: that signal is the library's interface, not a business flow of ours,
so the one receiver below is wired in ``webhook_setup`` and does nothing but call
``tracking_event_apply``.

Providers retry a webhook until it is answered 2xx (and sometimes send it twice anyway): every
update below only fills what is still empty, so an event applied twice changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from relais.engagement import preferences, suppression
from relais.engagement.choices import RecipientState, SuppressionReason
from relais.engagement.models import AutomationSend, Recipient
from relais.partners.models import Partner

logger = logging.getLogger(__name__)

# A row still waiting for news of its message; a late "delivered" never undoes a bounce.
_IN_FLIGHT = (RecipientState.SENDING, RecipientState.SENT)


def tracking_received(sender: object, event: AnymailTrackingEvent, esp_name: str, **_: Any) -> None:
    """Anymail's ``tracking`` signal receiver (see the module docstring)."""
    tracking_event_apply(event=event, esp_name=esp_name)


def tracking_event_apply(*, event: AnymailTrackingEvent, esp_name: str = "") -> None:
    """Record one provider event on the recipient rows (campaigns) and automation sends of the
    message it names; a hard bounce, a rejection or a complaint suppresses the address, an
    unsubscription unsubscribes the partner. An event for a message we do not know (a
    contractual e-mail, a message sent before the rows existed) still suppresses its address."""
    at = event.timestamp or timezone.now()
    recipients, sends = _rows(event.message_id)
    kind = event.event_type
    with transaction.atomic():
        if kind == EventType.DELIVERED:
            _mark(recipients, "delivered_at", at, state=RecipientState.DELIVERED)
            sends.filter(state__in=_IN_FLIGHT).update(state=RecipientState.DELIVERED)
        elif kind == EventType.OPENED:
            _mark(recipients, "opened_at", at)
        elif kind == EventType.CLICKED:
            _mark(recipients, "opened_at", at)  # a click is an open the image blocker hid
            _mark(recipients, "clicked_at", at)
        elif kind == EventType.REJECTED or (kind == EventType.BOUNCED and _hard(event)):
            _bounced(event, recipients, sends, at)
        elif kind == EventType.COMPLAINED:
            _mark(recipients, "complained_at", at)
            _suppress(event, recipients, sends, SuppressionReason.COMPLAINT)
        elif kind == EventType.UNSUBSCRIBED:
            _unsubscribed(event, recipients, sends)
    logger.info("%s event %s for message %s", esp_name, kind, event.message_id)


def _rows(message_id: str | None) -> tuple[QuerySet[Recipient], QuerySet[AutomationSend]]:
    """The rows of the message, whichever way the provider writes its id (with or without the
    angle brackets of a Message-ID header)."""
    if not message_id:
        return Recipient.objects.none(), AutomationSend.objects.none()
    bare = str(message_id).strip().strip("<>")
    ids = {str(message_id), bare, f"<{bare}>"}
    return Recipient.objects.filter(message_id__in=ids), AutomationSend.objects.filter(
        message_id__in=ids
    )


def _mark(
    rows: QuerySet[Recipient], field: str, at: datetime, state: RecipientState | None = None
) -> None:
    """Set ``field`` where it is still empty (the first date wins when the provider retries)."""
    changes: dict[str, object] = {field: at}
    if state is not None:
        rows.filter(Q(**{f"{field}__isnull": True}), state__in=_IN_FLIGHT).update(
            **changes, state=state
        )
    rows.filter(**{f"{field}__isnull": True}).update(**changes)


def _hard(event: AnymailTrackingEvent) -> bool:
    """Anymail calls every bounce BOUNCED; Brevo's ``soft_bounce`` and Mailjet's bounce without
    ``hard_bounce`` are temporary (a full mailbox) and must not suppress anyone."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if raw.get("event") == "soft_bounce":
        return False
    return not (raw.get("event") == "bounce" and raw.get("hard_bounce") is False)


def _bounced(
    event: AnymailTrackingEvent,
    recipients: QuerySet[Recipient],
    sends: QuerySet[AutomationSend],
    at: datetime,
) -> None:
    recipients.filter(bounced_at__isnull=True).update(
        bounced_at=at, state=RecipientState.BOUNCED, failure=_detail(event)[:300]
    )
    sends.exclude(state=RecipientState.BOUNCED).update(
        state=RecipientState.BOUNCED, failure=_detail(event)[:300]
    )
    _suppress(event, recipients, sends, SuppressionReason.HARD_BOUNCE)


def _unsubscribed(
    event: AnymailTrackingEvent, recipients: QuerySet[Recipient], sends: QuerySet[AutomationSend]
) -> None:
    """The provider's own unsubscribe link or list-unsubscribe handling: the partner of the
    message is unsubscribed; an address we cannot tie to a partner is suppressed."""
    partners = _partners(recipients, sends)
    for partner in partners:
        row = recipients.filter(partner=partner).first()
        preferences.partner_unsubscribe(partner=partner, via="provider", recipient=row)
    if not partners:
        _suppress(event, recipients, sends, SuppressionReason.UNSUBSCRIBED)


def _partners(recipients: QuerySet[Recipient], sends: QuerySet[AutomationSend]) -> list[Partner]:
    ids = {
        *recipients.values_list("partner_id", flat=True),
        *sends.values_list("partner_id", flat=True),
    }
    return list(Partner.objects.filter(pk__in=ids))


def _suppress(
    event: AnymailTrackingEvent,
    recipients: QuerySet[Recipient],
    sends: QuerySet[AutomationSend],
    reason: SuppressionReason,
) -> None:
    """Suppress the address the event names, else the addresses the message went to."""
    if event.recipient:
        addresses = {event.recipient}
    else:
        addresses = {e for e in recipients.values_list("email", flat=True) if e}
        addresses |= {p.email for p in _partners(Recipient.objects.none(), sends) if p.email}
    for address in addresses:
        suppression.address_suppress(email=address, reason=reason, detail=_detail(event))


def _detail(event: AnymailTrackingEvent) -> str:
    return str(event.mta_response or event.description or event.reject_reason or "")
