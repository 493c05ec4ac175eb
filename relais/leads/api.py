"""``/api/v1/leads``: create one or up to 1,000 at once (idempotent), list, read, move."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel

from relais.accounts.decorators import request_user
from relais.accounts.models import User
from relais.core.apischema import ERRORS, CursorPages, IsoDate, RecordId
from relais.core.errors import DomainError
from relais.core.forms import field_errors
from relais.core.textcheck import character_errors
from relais.leads import crm, selectors, services
from relais.leads.choices import Channel, LeadStatus, RejectionReason, ReviewReason
from relais.leads.idempotency import idempotent
from relais.leads.models import Lead
from relais.partners.models import Partner
from relais.partners.selectors import partner_for_user

router = Router(tags=["leads"])
BULK_LIMIT = 1000


class LeadIn(Schema):
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    email: str = ""
    phone: str = ""
    siren: str = ""
    siret: str = ""
    address_line: str = ""
    postcode: str = ""
    city: str = ""
    need: str = ""
    category: str = ""
    estimated_value: Decimal | None = None
    partner_code: str = Field("", description="Staff only: the introducer's referral code.")


class LeadOut(Schema):
    id: int
    status: LeadStatus
    channel: Channel
    prospect_name: str
    first_name: str
    last_name: str
    company_name: str
    email: str
    phone: str
    siren: str
    postcode: str
    departement: str = Field(
        description="Empty when no French département uses the postcode (outside the territory)."
    )
    partner_id: int | None
    already_known: bool = Field(
        description="The prospect was already known (referred before, by anyone) on arrival."
    )
    duplicate_of_id: int | None = Field(
        description="Staff only: the earlier lead; null for partners."
    )
    review_reason: str
    submitted_at: datetime
    won_amount: Decimal | None
    won_date: date | None

    # A replayed idempotent answer is the stored JSON, not a model: it was shaped when first sent.
    @staticmethod
    def resolve_departement(obj: Lead | dict[str, Any]) -> str:
        return str(obj["departement"]) if isinstance(obj, dict) else obj.departement_id or ""

    @staticmethod
    def resolve_already_known(obj: Lead | dict[str, Any]) -> bool:
        if isinstance(obj, dict):
            return bool(obj.get("already_known", obj["duplicate_of_id"] is not None))
        return obj.duplicate_of_id is not None

    @staticmethod
    def resolve_duplicate_of_id(obj: Lead | dict[str, Any], context: Any) -> int | None:
        if isinstance(obj, dict):
            return obj["duplicate_of_id"]
        return None if _partner_caller(context) else obj.duplicate_of_id

    @staticmethod
    def resolve_review_reason(obj: Lead | dict[str, Any], context: Any) -> str:
        if isinstance(obj, dict):
            return str(obj["review_reason"])
        if obj.review_reason == ReviewReason.CONFLICT and _partner_caller(context):
            return ""  # "already known" is all a partner learns of another partner's lead
        return obj.review_reason


def _partner_caller(context: Any) -> bool:
    """Whether the answer goes to a partner: a partner must not learn that another partner's
    lead exists (its id, a conflict with it), only that the prospect was already known."""
    request = (context or {}).get("request")
    return request is None or getattr(request.user, "is_partner_user", True)


class BulkIn(Schema):
    items: list[dict[str, Any]]


# The bulk answer is built from dicts, never from models: plain pydantic models, without
# ``Schema``'s per-object wrapper for reading ORM attributes (checking a thousand results
# took 6 ms with it, 2 ms without).
class BulkItem(BaseModel):
    index: int
    status: str
    id: int | None = None
    already_known: bool = False
    duplicate_of_id: int | None = None  # staff only, as LeadOut's
    errors: dict[str, str] = {}


class BulkOut(BaseModel):
    created: int
    invalid: int
    results: list[BulkItem]


class LeadFilters(Schema):
    status: LeadStatus | None = None
    channel: Channel | None = None
    departement: str | None = None
    partner: RecordId | None = None
    since: IsoDate | None = None
    until: IsoDate | None = None
    q: str | None = None


class LeadTransitionIn(Schema):
    to: LeadStatus
    note: str = ""
    rejection_reason: RejectionReason | None = None
    amount: Decimal | None = None
    won_date: IsoDate | None = None
    lost_reason: str = ""


def _source(user: User, partner_code: str) -> dict[str, Any]:
    """A partner's token submits for its partner; staff may name an introducer by its code."""
    if user.is_partner_user:
        return {"partner": partner_for_user(user)}
    if refused := character_errors(Lead, {"partner_code": partner_code}):
        raise ValidationError(refused)
    if partner_code:
        partner = Partner.objects.filter(referral_code=partner_code).first()
        if partner is None:
            raise ValidationError(
                {
                    "partner_code": _("No partner has the referral code %(code)s.")
                    % {"code": partner_code}
                }
            )
        return {"partner": partner}
    return {"salesperson": user}


def _submit(user: User, item: dict[str, Any]) -> Lead:
    data = dict(item)
    source = _source(user, str(data.pop("partner_code", "") or ""))
    return services.lead_submit(data=data, channel=Channel.API, actor=user, **source)


def _submit_many(user: User, items: list[dict[str, Any]]) -> list[Lead | ValidationError]:
    """The whole batch through ``leads_submit`` (a fixed number of queries); an item naming an
    unknown introducer is refused on its own, like one with a bad field."""
    sources: dict[str, dict[str, Any] | ValidationError] = {}
    batch: list[services.Submission] = []
    refused: dict[int, ValidationError] = {}
    for index, item in enumerate(items):
        data = {k: v for k, v in item.items() if k in LeadIn.model_fields}
        code = str(data.pop("partner_code", "") or "")
        if code not in sources:
            try:
                sources[code] = _source(user, code)
            except ValidationError as exc:
                sources[code] = exc
        source = sources[code]
        if isinstance(source, ValidationError):
            refused[index] = source
        else:
            batch.append(services.Submission(data, **source))
    made = iter(services.leads_submit(items=batch, channel=Channel.API, actor=user))
    return [refused[i] if i in refused else next(made) for i in range(len(items))]


def _bulk_result(index: int, outcome: Lead | ValidationError, *, staff: bool) -> dict[str, Any]:
    if isinstance(outcome, ValidationError):
        return {"index": index, "status": "invalid", "errors": field_errors(outcome)}
    known = outcome.duplicate_of_id
    return {
        "index": index,
        "status": "created",
        "id": outcome.pk,
        "already_known": known is not None,
        "duplicate_of_id": known if staff else None,
    }


@router.post("/leads", response={201: LeadOut, **ERRORS})
def create_lead(request: HttpRequest, payload: LeadIn) -> Status:
    data = payload.dict()
    # The answer as a model: ninja sends it without validating it again (a replayed answer is
    # the stored JSON, validated as usual).
    status, body = idempotent(
        request,
        data,
        lambda: (
            201,
            LeadOut.from_orm(_submit(request_user(request), data), context={"request": request}),
        ),
    )
    return Status(status, body)


@router.post("/leads/bulk", response={200: BulkOut, **ERRORS})
def create_leads(request: HttpRequest, payload: BulkIn) -> Status:
    """Up to 1,000 leads; each is created or refused on its own, with its errors by field."""
    if len(payload.items) > BULK_LIMIT:
        raise DomainError(
            _("At most %(limit)s leads per call; this one has %(count)s.")
            % {"limit": BULK_LIMIT, "count": len(payload.items)},
            code="too_many_items",
            fields={"items": _("At most %(limit)s.") % {"limit": BULK_LIMIT}},
        )
    user = request_user(request)

    def run() -> tuple[int, dict[str, Any]]:
        outcomes = enumerate(_submit_many(user, payload.items))
        staff = not user.is_partner_user
        results = [_bulk_result(i, o, staff=staff) for i, o in outcomes]
        created = sum(1 for r in results if r["status"] == "created")
        return 200, {"created": created, "invalid": len(results) - created, "results": results}

    status, body = idempotent(request, payload.dict(), run)
    return Status(status, body)


@router.get("/leads", response={200: list[LeadOut], **ERRORS})
@paginate(CursorPages, ordering=("-submitted_at", "-pk"))
def list_leads(request: HttpRequest, filters: Query[LeadFilters]):  # type: ignore[no-untyped-def]
    """Newest first; walk a long list with `next_cursor` rather than page numbers."""
    return selectors.lead_list(request_user(request), filters=filters.dict())


def _get_lead_for_user(request: HttpRequest, lead_id: RecordId) -> Lead:
    try:
        return selectors.lead_get_for_user(request_user(request), lead_id)
    except Lead.DoesNotExist:
        raise Http404 from None


@router.get("/leads/{lead_id}", response={200: LeadOut, **ERRORS})
def get_lead(request: HttpRequest, lead_id: RecordId) -> Lead:
    return _get_lead_for_user(request, lead_id)


@router.post("/leads/{lead_id}/transitions", response={200: LeadOut, **ERRORS})
def transition_lead(request: HttpRequest, lead_id: RecordId, payload: LeadTransitionIn) -> Lead:
    """Move a lead along its lifecycle; an illegal move is a 409 naming the possible ones."""
    lead = _get_lead_for_user(request, lead_id)
    if request_user(request).is_partner_user:
        raise PermissionDenied(_("Partners follow their leads; the status is set by the company."))
    data = payload.dict()
    data["rejection_reason"] = data["rejection_reason"] or ""
    return services.lead_transition(lead=lead, actor=request_user(request), **data)


class LeadCrmIn(Schema):
    crm_source: str = Field(max_length=40, description="The CRM integration's key.")
    crm_deal_id: str = Field(max_length=100, description="The CRM's deal id; empty unlinks.")


class LeadCrmOut(Schema):
    id: int
    crm_source: str
    crm_deal_id: str


@router.put("/leads/{lead_id}/crm", response={200: LeadCrmOut, **ERRORS})
def link_lead_crm(request: HttpRequest, lead_id: RecordId, payload: LeadCrmIn) -> Lead:
    """Link the lead to its deal in a CRM (one lead per deal: another lead's deal is a 400)."""
    lead = _get_lead_for_user(request, lead_id)
    if not request_user(request).can_manage:
        raise PermissionDenied(_("Only managers link leads to the CRM."))
    return crm.lead_crm_link(
        lead=lead,
        source=payload.crm_source,
        deal_id=payload.crm_deal_id,
        actor=request_user(request),
    )
