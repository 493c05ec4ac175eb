"""Every write of outbound webhooks: endpoints (create, change, rotate the secret, delete),
the fan-out of domain events into deliveries, their delivery by the worker, and replays."""

from __future__ import annotations

import base64
import logging
import random
import secrets as random_secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core import events
from relais.core.errors import DomainError
from relais.core.models import OutboxEvent
from relais.integrations import catalogue, sender
from relais.integrations.choices import DeliveryState
from relais.integrations.destinations import Refused, check_syntax, resolve
from relais.integrations.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# The Standard Webhooks schedule: the wait before each attempt after the first (immediately).
SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
BATCH = 100
# Deliveries claimed at once: one UPDATE for them all, and a lease long enough for all of them
# to time out one after the other.
CHUNK = 10
UNDONE = (DeliveryState.PENDING, DeliveryState.RETRYING)


# --- Endpoints ---------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + base64.b64encode(random_secrets.token_bytes(24)).decode()


def _checked(url: str, event_types: list[str]) -> tuple[str, list[str]]:
    """The URL and event types as stored, or a DomainError naming the field at fault."""
    url = (url or "").strip()
    try:
        check_syntax(url)
        resolve(url)
    except Refused as exc:
        raise DomainError(str(exc), code="invalid_url", fields={"url": str(exc)}) from None
    unknown = [code for code in event_types if code not in catalogue.BY_CODE]
    if unknown:
        message = _("Unknown event type: %(codes)s.") % {"codes": ", ".join(unknown)}
        raise DomainError(message, code="unknown_event_type", fields={"event_types": message})
    if not event_types:
        message = _("Choose at least one event type.")
        raise DomainError(message, code="no_event_type", fields={"event_types": message})
    return url, sorted(set(event_types))


def endpoint_create(
    *,
    url: str,
    event_types: list[str],
    owner: User | None,
    description: str = "",
    enabled: bool = True,
) -> WebhookEndpoint:
    """A new endpoint with its own secret (shown once to its creator)."""
    url, event_types = _checked(url, event_types)
    return WebhookEndpoint.objects.create(
        url=url,
        description=description.strip()[:200],
        event_types=event_types,
        enabled=enabled,
        owner=owner,
        secret=new_secret(),
    )


def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str,
    event_types: list[str],
    description: str = "",
    enabled: bool = True,
) -> WebhookEndpoint:
    """Change an endpoint; enabling it again forgets why it was disabled and its failures."""
    url, event_types = _checked(url, event_types)
    endpoint.url, endpoint.event_types = url, event_types
    endpoint.description = description.strip()[:200]
    if enabled and not endpoint.enabled:
        endpoint.disabled_reason, endpoint.failing_since, endpoint.owner_told_at = "", None, None
    endpoint.enabled = enabled
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret signs from now on; the old one signs too for the overlap, so a receiver
    can switch over without refusing a message. Returns the new secret (shown once)."""
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + timedelta(
        hours=settings.RELAIS_WEBHOOK_SECRET_OVERLAP_HOURS
    )
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint.secret


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def _disable(endpoint_id: int, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).update(
        enabled=False, disabled_reason=reason[:300]
    )


# --- Fan-out: domain events → deliveries ---------------------------------------------------------


def webhooks_fan_out(*, event: events.Event) -> None:
    """The handler subscribed to each domain event of ``catalogue.SOURCES``: one delivery per
    webhook event it carries and per enabled endpoint wanting its type. Idempotent: the unique
    (endpoint, event id) skips what a first run (killed before its ack) made."""
    outgoing = list(catalogue.SOURCES[type(event)](event))
    endpoints = list(WebhookEndpoint.objects.filter(enabled=True))
    if not outgoing or not endpoints:
        return
    outbox_id = events.current_event_id()
    if outbox_id is None:  # the webhook ids are the outbox's: nothing else may call this
        raise RuntimeError("webhooks_fan_out runs only as a handler of the outbox")
    committed = OutboxEvent.objects.filter(pk=outbox_id).values_list("created_at", flat=True)
    occurred = committed.first() or timezone.now()
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event_id=f"msg_{outbox_id}" + (f"_{item.key}" if item.key else ""),
            event_type=item.code,
            payload=_payload(item.code, item.data, occurred),
            occurred_at=occurred,
            next_attempt_at=occurred,
        )
        for item in outgoing
        for endpoint in endpoints
        if endpoint.wants(item.code)
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if rows:
        transaction.on_commit(_wake)


def _payload(code: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    version = catalogue.BY_CODE[code].version if code in catalogue.BY_CODE else 1
    # JSON-ready now (dates, decimals), so the body signed is the one stored.
    return _sender_ready({"type": code, "version": version, "timestamp": at, "data": data})


def _sender_ready(payload: dict[str, Any]) -> dict[str, Any]:
    import json

    ready: dict[str, Any] = json.loads(sender.body_of(payload))
    return ready


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event for this endpoint alone, delivered like any other."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=f"msg_test_{random_secrets.token_hex(8)}",
        event_type=catalogue.TEST_EVENT,
        payload=_payload(catalogue.TEST_EVENT, {"endpoint_id": endpoint.pk}, now),
        occurred_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(_wake)
    return delivery


def _wake() -> None:
    """Ask the worker to deliver now; a queue that cannot be reached loses nothing: the sweep
    (``webhooks_sweep``) delivers within its period."""
    from relais.integrations.tasks import deliver_webhooks

    try:
        deliver_webhooks.enqueue()
    except Exception:
        log.warning("could not wake the webhook worker; the sweep will deliver", exc_info=True)


# --- Delivery ------------------------------------------------------------------------------------


def delivery_lease() -> timedelta:
    """How long claimed deliveries belong to their worker: past the longest a chunk can take
    (each attempt's connect and read timeouts, one after the other) a worker still silent is
    dead, and its claims lapse."""
    return timedelta(seconds=settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS * 2 * CHUNK + 30)


def _retry_wait(attempts: int) -> timedelta | None:
    """The wait after the ``attempts``-th failed attempt, ±10 % jitter (None: no retry left)."""
    if attempts > len(SCHEDULE):
        return None
    base = SCHEDULE[attempts - 1].total_seconds()
    return timedelta(seconds=base * random.uniform(0.9, 1.1))  # noqa: S311 (jitter, not secret)


def deliveries_claim(*, ids: list[int], now: datetime) -> list[WebhookDelivery]:
    """Take the due deliveries among ``ids`` for this pass, in one compare-and-set UPDATE (the
    same statement on SQLite and PostgreSQL): a row another worker took meanwhile no longer
    matches (its ``next_attempt_at`` moved a lease ahead, or it is done). A worker killed
    mid-delivery leaves a claim that lapses, and a later pass sends it again with the same
    webhook-id. Returns the deliveries taken, oldest first."""
    token = random_secrets.token_hex(8)
    WebhookDelivery.objects.filter(
        pk__in=ids,
        state__in=UNDONE,
        next_attempt_at__lte=now,
        endpoint__enabled=True,
    ).update(
        claim=token,
        attempts=F("attempts") + 1,
        next_attempt_at=now + delivery_lease(),
        last_attempt_at=now,
    )
    taken = WebhookDelivery.objects.filter(pk__in=ids, claim=token).select_related("endpoint")
    return list(taken.order_by("pk"))


def _attempt(delivery: WebhookDelivery, now: datetime) -> sender.Answer:
    endpoint = delivery.endpoint
    body = sender.body_of(delivery.payload)
    head = sender.headers(endpoint.secrets(now), delivery.event_id, now, body)
    return sender.post(endpoint.url, body, head)


def _record(delivery: WebhookDelivery, answer: sender.Answer, now: datetime) -> bool:
    fields: dict[str, Any] = {
        "response_code": answer.code,
        "response_excerpt": answer.excerpt,
        "error": answer.error,
        "duration_ms": answer.duration_ms,
    }
    if answer.ok:
        fields |= {"state": DeliveryState.DELIVERED, "delivered_at": now}
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
        if delivery.endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
            delivery.endpoint.failing_since = None
        return True
    wait = _retry_wait(delivery.attempts)
    if answer.code in (429, 503) and answer.retry_after is not None and wait is not None:
        wait = max(wait, timedelta(seconds=answer.retry_after))
    if answer.code == 410:
        wait = None
        _disable(delivery.endpoint_id, _("The receiver answered 410 Gone: it wants no more."))
    if wait is None:
        fields |= {"state": DeliveryState.FAILED}
    else:
        fields |= {"state": DeliveryState.RETRYING, "next_attempt_at": now + wait}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    _note_failure(delivery.endpoint_id, now)
    return False


def _note_failure(endpoint_id: int, now: datetime) -> None:
    """The first failure starts the clock; failing for ``RELAIS_WEBHOOK_DISABLE_AFTER_DAYS``
    disables the endpoint and tells its owner, once (``owner_told_at``)."""
    WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since=None).update(failing_since=now)
    limit = now - timedelta(days=settings.RELAIS_WEBHOOK_DISABLE_AFTER_DAYS)
    stale = WebhookEndpoint.objects.filter(
        pk=endpoint_id, enabled=True, failing_since__lte=limit, owner_told_at=None
    )
    if stale.update(
        enabled=False,
        owner_told_at=now,
        disabled_reason=_("Every delivery failed for %(days)s days.")
        % {"days": settings.RELAIS_WEBHOOK_DISABLE_AFTER_DAYS},
    ):
        _tell_owner(WebhookEndpoint.objects.select_related("owner").get(pk=endpoint_id))


def _tell_owner(endpoint: WebhookEndpoint) -> None:
    if endpoint.owner is None or not endpoint.owner.email:
        return
    from django.urls import reverse

    from relais.core.http import absolute_url

    link = absolute_url(reverse("integrations:endpoint", args=[endpoint.pk]))
    subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
    body = _(
        "Every delivery to %(url)s failed for %(days)s days, so it was disabled. Fix the"
        " receiver, enable it again and replay what failed: %(link)s"
    ) % {"url": endpoint.url, "days": settings.RELAIS_WEBHOOK_DISABLE_AFTER_DAYS, "link": link}
    send_mail(subject, body, None, [endpoint.owner.email])


def _release(delivery: WebhookDelivery, now: datetime) -> None:
    """Give back a claimed delivery unsent (its endpoint was disabled during this pass)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") - 1, next_attempt_at=now, claim=""
    )


def _send(taken: list[WebhookDelivery], clock: datetime) -> tuple[int, int]:
    """Send each claimed delivery and record its answer; ``clock`` (a test's, ahead of the real
    one) dates the attempts when later than now."""
    delivered = failed = 0
    gone: set[int] = set()
    for delivery in taken:
        now = max(clock, timezone.now())
        if delivery.endpoint_id in gone:
            _release(delivery, now)
            continue
        answer = _attempt(delivery, now)
        if _record(delivery, answer, max(now, timezone.now())):
            delivered += 1
        else:
            failed += 1
            if (
                answer.code == 410
                or not WebhookEndpoint.objects.filter(
                    pk=delivery.endpoint_id, enabled=True
                ).exists()
            ):
                gone.add(delivery.endpoint_id)
    return delivered, failed


def deliver_one(*, delivery: WebhookDelivery, now: datetime | None = None) -> bool | None:
    """Claim and send one delivery: True delivered, False failed, None taken by another."""
    clock = max(now or timezone.now(), timezone.now())
    taken = deliveries_claim(ids=[delivery.pk], now=clock)
    if not taken:
        return None
    delivered, _failed = _send(taken, clock)
    return delivered == 1


def _due(now: datetime) -> Any:
    return WebhookDelivery.objects.filter(
        state__in=UNDONE, next_attempt_at__lte=now, endpoint__enabled=True
    )


def deliver_due(*, now: datetime | None = None, limit: int = BATCH) -> tuple[int, int]:
    """One pass over up to ``limit`` due deliveries, oldest first: (delivered, failed).
    ``now`` (a test's clock) is never earlier than the real one: each claim gets a full lease."""
    now = max(now or timezone.now(), timezone.now())
    ids = list(_due(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    delivered = failed = 0
    for start in range(0, len(ids), CHUNK):
        clock = max(now, timezone.now())
        sent = _send(deliveries_claim(ids=ids[start : start + CHUNK], now=clock), clock)
        delivered, failed = delivered + sent[0], failed + sent[1]
    return delivered, failed


def deliver_all(*, now: datetime | None = None) -> tuple[int, int]:
    """Passes until nothing due is left (failures wait for their retry)."""
    total = (0, 0)
    while True:
        one = deliver_due(now=now)
        total = (total[0] + one[0], total[1] + one[1])
        if sum(one) < BATCH:
            return total


def webhooks_sweep(*, now: datetime) -> str:
    """The recurring job: the retries that came due, and what no wake-up reached."""
    delivered, failed = deliver_all(now=now)
    return f"{delivered} delivered, {failed} failed"


# --- The log's retention ---------------------------------------------------------------------

PRUNE_CHUNK = 5000


def deliveries_prune(*, now: datetime) -> int:
    """Delete the deliveries done (delivered or failed) more than ``RELAIS_WEBHOOK_LOG_DAYS``
    ago; one still pending or retrying stays, however old. The log grows by one row per event
    and endpoint, so it is deleted by pk ranges from its start (the oldest rows), never by a
    scan of the whole table: the first row young enough to keep bounds the search."""
    days = settings.RELAIS_WEBHOOK_LOG_DAYS
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    first_kept = (
        WebhookDelivery.objects.filter(created_at__gte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    old = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(state__in=UNDONE)
    if first_kept is not None:
        old = old.filter(pk__lt=first_kept)
    deleted = 0
    while ids := list(old.order_by("pk").values_list("pk", flat=True)[:PRUNE_CHUNK]):
        deleted += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]
    return deleted


# --- Replay ----------------------------------------------------------------------------------


def delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send one delivery again (a delivered one too: the receiver asked), same webhook-id, with
    a fresh schedule of retries."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(_wake)
    delivery.refresh_from_db()
    return delivery


def deliveries_replay_failed(*, endpoint: WebhookEndpoint, since: datetime) -> int:
    """Send again every delivery of ``endpoint`` that failed (for good, or is still retrying)
    since ``since``; returns how many."""
    failed = WebhookDelivery.objects.filter(endpoint=endpoint, created_at__gte=since).filter(
        Q(state=DeliveryState.FAILED) | Q(state=DeliveryState.RETRYING)
    )
    count = failed.update(state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now())
    if count:
        transaction.on_commit(_wake)
    return count
