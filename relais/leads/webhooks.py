"""The inbound-mail webhook an e-mail provider calls with each message it receives."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from relais.leads.inbound import from_provider_json, handle_inbound


@csrf_exempt  # called by the provider, authenticated by the shared secret in the URL
@require_POST
def inbound_email(request: HttpRequest, secret: str) -> JsonResponse:
    expected = settings.RELAIS_INBOUND_EMAIL_SECRET
    if not expected or not hmac.compare_digest(secret, expected):
        return JsonResponse(
            {"error": {"code": "forbidden", "message": "Unknown inbound address.", "fields": {}}},
            status=403,
        )
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse(
            {"error": {"code": "invalid", "message": "The body is not JSON.", "fields": {}}},
            status=400,
        )
    if not isinstance(payload, dict):
        return JsonResponse(
            {"error": {"code": "invalid", "message": "Expected a JSON object.", "fields": {}}},
            status=400,
        )
    return JsonResponse({"outcome": handle_inbound(from_provider_json(payload))})
