"""Reads of outbound webhooks, scoped to who asks: managers only (the company's endpoints)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet

from relais.accounts.models import User
from relais.integrations.choices import DeliveryState
from relais.integrations.models import CrmIntegration, CrmPush, WebhookDelivery, WebhookEndpoint


def endpoints_for_user(*, user: User) -> QuerySet[WebhookEndpoint]:
    if not user.can_manage:
        raise PermissionDenied
    failing = Q(deliveries__state__in=[DeliveryState.FAILED, DeliveryState.RETRYING])
    return WebhookEndpoint.objects.annotate(failures=Count("deliveries", filter=failing)).order_by(
        "pk"
    )


def endpoint_get_for_user(*, user: User, pk: int) -> WebhookEndpoint:
    if not user.can_manage:
        raise PermissionDenied
    return WebhookEndpoint.objects.get(pk=pk)


def deliveries_of(
    *, endpoint: WebhookEndpoint, state: str = "", event_type: str = ""
) -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first, filtered by state and event type."""
    rows = WebhookDelivery.objects.filter(endpoint=endpoint)
    if state:
        rows = rows.filter(state=state)
    if event_type:
        rows = rows.filter(event_type=event_type)
    return rows.order_by("-created_at", "-pk")


def delivery_get(*, endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery:
    """One delivery of this endpoint: another endpoint's is DoesNotExist (a 404)."""
    return WebhookDelivery.objects.get(endpoint=endpoint, pk=pk)


def crm_integrations_for_user(*, user: User) -> QuerySet[CrmIntegration]:
    """The CRM integrations, each with its last push's time: the managers'."""
    if not user.can_manage:
        raise PermissionDenied
    return CrmIntegration.objects.annotate(last_push=Max("pushes__received_at")).order_by("key")


def crm_integration_get_for_user(*, user: User, pk: int) -> CrmIntegration:
    if not user.can_manage:
        raise PermissionDenied
    return CrmIntegration.objects.get(pk=pk)


def crm_pushes_of(*, integration: CrmIntegration) -> QuerySet[CrmPush]:
    """An integration's pushes received, newest first."""
    return CrmPush.objects.filter(integration=integration).order_by("-received_at", "-pk")
