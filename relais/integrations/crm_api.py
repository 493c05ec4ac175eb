"""``/api/v1/crm/``: managers' tokens keep the CRM integrations (create, shown the secret once;
list) and push a deal's stage through the API as the CRM's webhook does (``integrations.crm``);
``PUT /leads/{id}/crm`` (the leads API) links a lead to its deal."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from relais.accounts.decorators import request_user
from relais.accounts.models import User
from relais.core.apischema import ERRORS
from relais.integrations.choices import CrmKind
from relais.integrations.crm import crm_integration_create, crm_push_receive
from relais.integrations.models import CrmIntegration
from relais.leads.choices import LeadStatus

router = Router(tags=["crm"])


def _manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.can_manage:
        raise PermissionDenied(_("Only managers keep the CRM integrations."))
    return user


def _integration(request: HttpRequest, key: str) -> CrmIntegration:
    _manager(request)
    found = CrmIntegration.objects.filter(key=key).first()
    if found is None:
        raise Http404
    return found


class CrmIntegrationIn(Schema):
    name: str = Field("", max_length=100)
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", description="The leads' crm_source.")
    kind: CrmKind


class CrmIntegrationOut(Schema):
    name: str
    key: str
    kind: CrmKind
    enabled: bool
    created_at: datetime
    webhook_path: str = Field(description="Where the CRM posts its signed pushes.")

    @staticmethod
    def resolve_webhook_path(obj: CrmIntegration) -> str:
        return f"/integrations/crm/{obj.key}/webhook/"


class CrmIntegrationCreated(CrmIntegrationOut):
    secret: str = Field(description="whsec_…: shown this once; the CRM signs its pushes with it.")


class DealPushIn(Schema):
    deal_id: str = Field(min_length=1, max_length=100)
    stage: str = Field(description="The deal's stage in the CRM's words (README's table).")
    amount: Decimal | None = Field(None, description="Won: the amount excluding VAT.")
    won_date: date | None = None
    lost_reason: str = Field("", max_length=200)


class DealPushOut(Schema):
    lead: int
    status: LeadStatus
    changed: bool = Field(description="False when the lead already stood so (a repeated push).")


@router.post("/crm/integrations", response={201: CrmIntegrationCreated, **ERRORS})
def create_crm_integration(request: HttpRequest, payload: CrmIntegrationIn) -> Status:
    made = crm_integration_create(**payload.dict(), actor=_manager(request))
    return Status(201, made)


@router.get("/crm/integrations", response={200: list[CrmIntegrationOut], **ERRORS})
def list_crm_integrations(request: HttpRequest) -> list[CrmIntegration]:
    _manager(request)
    return list(CrmIntegration.objects.order_by("key"))


@router.post("/crm/{key}/deals", response={200: DealPushOut, **ERRORS})
def push_deal(request: HttpRequest, key: str, payload: DealPushIn) -> DealPushOut:
    """Apply a deal's stage to its lead: idempotent; an illegal move is a 409 naming both
    statuses; an unknown deal a 404."""
    integration = _integration(request, key)
    push = payload.dict()
    push["won_date"] = push["won_date"].isoformat() if push["won_date"] else None
    synced = crm_push_receive(integration=integration, push=push)
    status = LeadStatus(synced.lead.status)
    return DealPushOut(lead=synced.lead.pk, status=status, changed=synced.changed)
