"""``/api/v1/webhooks/``: managers' tokens keep the webhook endpoints (create, read, change,
rotate the secret, delete), read each one's delivery log and replay deliveries. The same
services and scoped getters as the pages. The catalogue of event types, with each payload's
schema, is ``GET /webhooks/event-types`` and the OpenAPI document's ``webhooks`` section."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.accounts.models import User
from relais.core.apischema import ERRORS, CursorPages, Pages, RecordId
from relais.core.errors import DomainError, NotYours
from relais.integrations import catalogue, selectors, services
from relais.integrations.choices import DeliveryState
from relais.integrations.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])


class Invalid(DomainError):
    status = 422


def _manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.can_manage:
        raise PermissionDenied(_("Only managers keep the webhook endpoints."))
    return user


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    try:
        return selectors.endpoint_get_for_user(user=_manager(request), pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


class EndpointIn(Schema):
    url: str = Field(description="https:// URL of the receiver (http only where allowed).")
    description: str = ""
    event_types: list[str] = Field(description="Codes from `GET /webhooks/event-types`.")
    enabled: bool = True


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    previous_secret_until: datetime | None
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="The signing secret (`whsec_…`): shown this once only.")


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret, shown this once only.")
    previous_secret_until: datetime | None = Field(
        description="The previous secret also signs until then."
    )


class DeliveryOut(Schema):
    id: int
    endpoint_id: int
    event_id: str = Field(description="The `webhook-id` header, the same on every attempt.")
    event_type: str
    payload: dict[str, Any]
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime
    response_code: int | None
    response_excerpt: str
    error: str
    duration_ms: int | None
    occurred_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveryFilters(Schema):
    state: DeliveryState | None = None
    event_type: str | None = None


class ReplayIn(Schema):
    since: datetime = Field(description="Replay what failed (or is retrying) since then.")


class ReplayOut(Schema):
    replayed: int


class EventTypeOut(Schema):
    code: str
    label: str
    description: str
    version: int
    payload_schema: dict[str, Any]


def _saving(call: Any) -> Any:
    try:
        return call()
    except DomainError as exc:
        raise Invalid(exc.message, code=exc.code, fields=exc.fields) from None


@router.get("/webhooks/event-types", response={200: list[EventTypeOut], **ERRORS})
def event_types(request: HttpRequest) -> list[dict[str, Any]]:
    """The catalogue: every event type an endpoint may choose, with its payload's schema."""
    _manager(request)
    return [
        {
            "code": t.code,
            "label": str(t.label),
            "description": str(t.description),
            "version": t.version,
            "payload_schema": t.schema.model_json_schema(),
        }
        for t in catalogue.CATALOGUE
    ]


@router.get("/webhooks/endpoints", response={200: list[EndpointOut], **ERRORS})
@paginate(Pages)
def endpoint_list(request: HttpRequest) -> Any:
    return selectors.endpoints_for_user(user=_manager(request))


@router.post("/webhooks/endpoints", response={201: EndpointCreated, **ERRORS})
def endpoint_create(request: HttpRequest, body: EndpointIn) -> Any:
    owner = _manager(request)
    created = _saving(lambda: services.endpoint_create(owner=owner, **body.dict()))
    return Status(201, created)


@router.get("/webhooks/endpoints/{pk}", response={200: EndpointOut, **ERRORS})
def endpoint_read(request: HttpRequest, pk: RecordId) -> Any:
    return _endpoint(request, pk)


@router.put("/webhooks/endpoints/{pk}", response={200: EndpointOut, **ERRORS})
def endpoint_update(request: HttpRequest, pk: RecordId, body: EndpointIn) -> Any:
    endpoint = _endpoint(request, pk)
    return _saving(lambda: services.endpoint_update(endpoint=endpoint, **body.dict()))


@router.delete("/webhooks/endpoints/{pk}", response={204: None, **ERRORS})
def endpoint_delete(request: HttpRequest, pk: RecordId) -> Any:
    services.endpoint_delete(endpoint=_endpoint(request, pk))
    return Status(204, None)


@router.post("/webhooks/endpoints/{pk}/rotate-secret", response={200: SecretOut, **ERRORS})
def endpoint_rotate(request: HttpRequest, pk: RecordId) -> Any:
    endpoint = _endpoint(request, pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint)
    return {"secret": secret, "previous_secret_until": endpoint.previous_secret_until}


@router.post("/webhooks/endpoints/{pk}/test", response={202: DeliveryOut, **ERRORS})
def endpoint_test(request: HttpRequest, pk: RecordId) -> Any:
    return Status(202, services.endpoint_send_test(endpoint=_endpoint(request, pk)))


@router.get("/webhooks/endpoints/{pk}/deliveries", response={200: list[DeliveryOut], **ERRORS})
@paginate(CursorPages, ordering=("-created_at", "-pk"))
def delivery_list(request: HttpRequest, pk: RecordId, filters: Query[DeliveryFilters]) -> Any:
    return selectors.deliveries_of(
        endpoint=_endpoint(request, pk),
        state=filters.state or "",
        event_type=filters.event_type or "",
    )


@router.post(
    "/webhooks/endpoints/{pk}/deliveries/{delivery_id}/replay",
    response={202: DeliveryOut, **ERRORS},
)
def delivery_replay(request: HttpRequest, pk: RecordId, delivery_id: RecordId) -> Any:
    """Send one delivery again, with its webhook-id. Another endpoint's delivery is a 404."""
    endpoint = _endpoint(request, pk)
    try:
        delivery = selectors.delivery_get(endpoint=endpoint, pk=delivery_id)
    except WebhookDelivery.DoesNotExist:
        # Another endpoint's delivery is answered as one that does not exist, naming the field.
        message = _("No delivery %(id)s in this endpoint's log.") % {"id": delivery_id}
        raise NotYours(message, code="not_found", fields={"delivery_id": message}) from None
    return Status(202, services.delivery_replay(delivery=delivery))


@router.post("/webhooks/endpoints/{pk}/replay-failed", response={202: ReplayOut, **ERRORS})
def replay_failed(request: HttpRequest, pk: RecordId, body: ReplayIn) -> Any:
    endpoint = _endpoint(request, pk)
    return Status(
        202, {"replayed": services.deliveries_replay_failed(endpoint=endpoint, since=body.since)}
    )


# --- The OpenAPI document's webhooks section (OpenAPI 3.1) -------------------------------------


def _envelope(t: catalogue.EventType) -> dict[str, Any]:
    data = t.schema.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = data.pop("$defs", {})
    return {
        "schema": {
            "type": "object",
            "required": ["type", "version", "timestamp", "data"],
            "properties": {
                "type": {"type": "string", "const": t.code},
                "version": {"type": "integer", "const": t.version},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": data,
            },
        },
        "defs": defs,
    }


HEADERS = {
    "webhook-id": "The message id: the same on every attempt and replay (dedupe on it).",
    "webhook-timestamp": "Unix seconds when this attempt was signed.",
    "webhook-signature": "`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated"
    " (two during a secret rotation).",
}


def webhooks_section() -> tuple[dict[str, Any], dict[str, Any]]:
    """(webhooks, extra component schemas) for every event type of the catalogue."""
    hooks: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for t in catalogue.CATALOGUE:
        envelope = _envelope(t)
        components.update(envelope["defs"])
        hooks[t.code] = {
            "post": {
                "summary": str(t.label),
                "description": f"{t.description} Payload version {t.version}. Signed per"
                " Standard Webhooks; answer 2xx within 15 s, 410 to stop, 429/503 with"
                " Retry-After to slow down.",
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": envelope["schema"]}},
                },
                "responses": {"2XX": {"description": "Taken: not sent again."}},
            }
        }
    return hooks, components


def install_webhook_docs(api: NinjaAPI) -> None:
    """Add the ``webhooks`` section to ``api``'s OpenAPI document."""
    build = api.get_openapi_schema

    def with_webhooks(*args: Any, **kwargs: Any) -> Any:
        schema = build(*args, **kwargs)
        hooks, components = webhooks_section()
        schema["webhooks"] = hooks
        schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
        return schema

    api.get_openapi_schema = with_webhooks  # type: ignore[method-assign]
