"""One error body everywhere: ``{"error": {"code": ..., "message": ..., "fields": {...}}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from relais.core.errors import DomainError
from relais.core.forms import field_errors
from relais.core.ratelimit import RateLimited

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _schema_fields(exc: NinjaValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in exc.errors:
        # loc is ("body", "payload", "siret") or ("query", "page"): the last part names the field.
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        fields[".".join(loc) or "body"] = str(err.get("msg", ""))
    return fields


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        body = error_body("invalid", _("The request is not valid."), _schema_fields(exc))
        return respond(request, 422, body)

    @api.exception_handler(DjangoValidationError)
    def validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = field_errors(exc) if hasattr(exc, "error_dict") else {}
        message = "; ".join(fields.values()) if fields else "; ".join(exc.messages)
        return respond(request, 422, error_body("invalid", message, fields))

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.fields))

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = respond(request, 429, error_body(exc.code, exc.message))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = error_body(
            "unauthenticated", _("A valid token is required: Authorization: Bearer <token>.")
        )
        return respond(request, 401, body)

    @api.exception_handler(AuthorizationError)
    def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return respond(request, 403, error_body("forbidden", str(exc.message)))

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, error_body("forbidden", str(exc) or _("You may not do this.")))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("Not found.")))

    # Django raises these when it cannot connect, lost the connection, or the database is
    # locked or timed out: the caller may try again later, so a 503 in the API's body, never
    # Django's HTML 500 page. Logged with the traceback: someone has to look at the database.
    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("Database unavailable for %s", request.path, exc_info=exc)
        body = error_body(
            "database_unavailable", _("The service is unavailable for a moment; try again.")
        )
        return respond(request, 503, body)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, error_body("http_error", str(exc.message)))
