"""The inbound webhook a CRM posts its deals' stages to, one URL per integration, signed with
that integration's secret (``integrations.crm``). No session, no CSRF token: the signature is
the proof. JSON answers: 200 with the lead and whether it changed, 401 for a bad signature, 404
for an unknown integration or deal, 409 for an illegal move, 422 for a bad body."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from relais.core.errors import DomainError
from relais.integrations.crm import crm_push_receive, crm_push_refused_record, crm_webhook_verify
from relais.integrations.models import CrmIntegration


@csrf_exempt
@require_POST
def crm_webhook(request: HttpRequest, key: str) -> JsonResponse:
    integration = CrmIntegration.objects.filter(key=key).first()
    if integration is None:
        unknown = {"code": "unknown", "message": _("No such CRM integration.")}
        return JsonResponse(unknown, status=404)
    headers = {k: v for k, v in request.headers.items() if k.lower().startswith("webhook-")}
    try:
        try:
            push = crm_webhook_verify(integration=integration, body=request.body, headers=headers)
        except DomainError as exc:
            crm_push_refused_record(integration=integration, error=exc)
            raise
        synced = crm_push_receive(integration=integration, push=push)
    except DomainError as exc:
        refused = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        return JsonResponse(refused, status=exc.status)
    return JsonResponse(
        {"lead": synced.lead.pk, "status": synced.lead.status, "changed": synced.changed}
    )


urlpatterns: list[URLPattern] = [
    path("crm/<slug:key>/webhook/", crm_webhook, name="crm_webhook"),
]
