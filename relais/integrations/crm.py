"""CRM status sync: a CRM pushes a deal's stage (and, won, its amount and date; lost, why) to the
lead linked to the deal, through the API or an inbound webhook signed with the integration's own
secret (Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``; the
``standardwebhooks`` library checks it in constant time and refuses a timestamp over five
minutes off, so a captured push cannot be replayed later). The stage is mapped to a Relais status
(``STAGES``, the README's table) and applied by the leads app's own transition
(``leads.crm.lead_crm_sync``: idempotent, an illegal move refused naming both statuses). A push
reaches only the leads linked under the integration's key."""

from __future__ import annotations

import base64
import secrets as random_secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.core.textcheck import refuse_bad_text
from relais.integrations.choices import CrmKind, CrmPushOutcome
from relais.integrations.models import CrmIntegration, CrmPush
from relais.leads.choices import LeadStatus
from relais.leads.crm import Synced, lead_crm_sync
from relais.leads.models import Lead

S = LeadStatus
# Each CRM's deal stages → the Relais status a push moves the lead to. HubSpot's default sales
# pipeline's internal stage ids; Pipedrive's deal status (its stages are the company's own, all
# "open"). A CRM of kind "other" speaks Relais statuses.
STAGES: dict[str, dict[str, str]] = {
    CrmKind.HUBSPOT: {
        "appointmentscheduled": S.IN_PROGRESS,
        "qualifiedtobuy": S.IN_PROGRESS,
        "presentationscheduled": S.IN_PROGRESS,
        "decisionmakerboughtin": S.IN_PROGRESS,
        "contractsent": S.IN_PROGRESS,
        "closedwon": S.WON,
        "closedlost": S.LOST,
    },
    CrmKind.PIPEDRIVE: {"open": S.IN_PROGRESS, "won": S.WON, "lost": S.LOST},
    CrmKind.OTHER: {"in_progress": S.IN_PROGRESS, "won": S.WON, "lost": S.LOST},
}


class Invalid(DomainError):
    status = 422


class BadSignature(DomainError):
    status = 401


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(random_secrets.token_bytes(24)).decode()


def crm_integration_create(*, name: str, key: str, kind: str, actor: User) -> CrmIntegration:
    """A CRM integration with a secret of its own (shown once to its creator)."""
    if kind not in CrmKind.values:
        raise Invalid(_("Unknown CRM: %(kind)s.") % {"kind": kind}, code="crm_kind")
    refuse_bad_text(CrmIntegration, {"name": name, "key": key})
    try:
        with transaction.atomic():  # a taken key leaves the caller's transaction usable
            return CrmIntegration.objects.create(
                name=name.strip() or key, key=key, kind=kind, secret=_new_secret()
            )
    except IntegrityError:
        raise Invalid(
            _("A CRM integration already has the key %(key)s.") % {"key": key},
            code="crm_key_taken",
            fields={"key": _("Already used.")},
        ) from None


def crm_integration_rotate_secret(*, integration: CrmIntegration) -> str:
    """A new secret replaces the old at once (the CRM's side is changed with it); returned to be
    shown once."""
    integration.secret = _new_secret()
    integration.save(update_fields=["secret"])
    return integration.secret


def crm_integration_enable(*, integration: CrmIntegration, enabled: bool) -> CrmIntegration:
    """Turn the integration on or off: off, its pushes are refused (and logged as such)."""
    integration.enabled = enabled
    integration.save(update_fields=["enabled"])
    return integration


def crm_push_refused_record(
    *, integration: CrmIntegration, error: DomainError, push: dict[str, Any] | None = None
) -> CrmPush:
    """Log a refused push: the reason, and the deal and stage when the body could be read."""
    push = push or {}
    return CrmPush.objects.create(
        integration=integration,
        deal_id=str(push.get("deal_id") or "")[:100],
        stage=str(push.get("stage") or "")[:100],
        outcome=CrmPushOutcome.REFUSED,
        code=error.code[:40],
        message=str(error.message)[:300],
    )


def crm_push_receive(*, integration: CrmIntegration, push: dict[str, Any]) -> Synced:
    """Apply a push (``crm_push_apply``) and log it, applied, unchanged or refused (the error
    is raised again for the caller's answer)."""
    try:
        synced = crm_push_apply(integration=integration, push=push)
    except DomainError as exc:
        crm_push_refused_record(integration=integration, error=exc, push=push)
        raise
    CrmPush.objects.create(
        integration=integration,
        deal_id=str(push.get("deal_id") or "").strip()[:100],
        stage=str(push.get("stage") or "")[:100],
        outcome=CrmPushOutcome.APPLIED if synced.changed else CrmPushOutcome.UNCHANGED,
        lead_id=synced.lead.pk,
    )
    return synced


def crm_status_of(*, integration: CrmIntegration, stage: str) -> str:
    """The Relais status of a stage in this CRM's words; a clear error naming it otherwise."""
    refuse_bad_text(Lead, {"crm_deal_id": stage})  # a CRM's words, checked as the deal ids
    found = STAGES[integration.kind].get(stage.strip().lower())
    if found is None:
        known = ", ".join(sorted(STAGES[integration.kind]))
        raise Invalid(
            _("Stage %(stage)s means nothing to Relais; known stages: %(known)s.")
            % {"stage": stage, "known": known},
            code="crm_stage",
            fields={"stage": _("Unknown stage.")},
        )
    return found


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise Invalid(
            _("The amount %(value)s is not a number.") % {"value": value},
            code="crm_amount",
            fields={"amount": _("A number, e.g. 1250.00.")},
        ) from None


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Invalid(
            _("The date %(value)s is not a date (YYYY-MM-DD).") % {"value": value},
            code="crm_date",
            fields={"won_date": _("A date, YYYY-MM-DD.")},
        ) from None


def crm_push_apply(*, integration: CrmIntegration, push: dict[str, Any]) -> Synced:
    """Apply one push: ``deal_id``, ``stage``, and ``amount`` with ``won_date`` (won) or
    ``lost_reason`` (lost)."""
    if not integration.enabled:
        raise DomainError(_("This CRM integration is disabled."), code="crm_disabled")
    deal_id = str(push.get("deal_id") or "").strip()
    if not deal_id:
        raise Invalid(
            _("Give the deal's id."), code="crm_deal_id", fields={"deal_id": _("Required.")}
        )
    return lead_crm_sync(
        source=integration.key,
        deal_id=deal_id,
        status=crm_status_of(integration=integration, stage=str(push.get("stage") or "")),
        amount=_amount(push.get("amount")),
        won_date=_date(push.get("won_date")),
        lost_reason=str(push.get("lost_reason") or ""),
    )


def crm_webhook_verify(
    *, integration: CrmIntegration, body: bytes, headers: dict[str, str]
) -> dict[str, Any]:
    """The push's JSON once its signature holds with this integration's secret (constant-time,
    timestamp within five minutes); refused otherwise, nothing read."""
    try:
        found = Webhook(integration.secret).verify(body, headers)
    except (WebhookVerificationError, ValueError) as exc:
        raise BadSignature(
            _("The signature does not hold: %(why)s.") % {"why": exc}, code="bad_signature"
        ) from None
    if not isinstance(found, dict):
        raise Invalid(_("The body is a JSON object."), code="crm_body")
    return found
