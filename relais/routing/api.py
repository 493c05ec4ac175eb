"""``/api/v1/inbox``: the leads assigned to the token's reseller (or salesperson), and what the
assignee does with them: open, declare a status, decline. Same services as the portal inbox."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.core.apischema import ERRORS, Pages, RecordId
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.routing import services
from relais.routing.selectors import assignee_of, inbox_for, inbox_lead

router = Router(tags=["routing"])


class InboxLeadOut(Schema):
    id: int
    status: LeadStatus
    prospect_name: str
    first_name: str
    last_name: str
    company_name: str
    email: str
    phone: str
    address_line: str
    postcode: str
    city: str
    need: str
    assigned_at: datetime | None
    won_amount: Decimal | None
    lost_reason: str


class DeclareIn(Schema):
    to: Literal["in_progress", "won", "lost"]
    amount: Decimal | None = None
    lost_reason: str = ""


class DeclineIn(Schema):
    reason: str


def _mine(request: HttpRequest, lead_id: RecordId) -> tuple[Lead, dict[str, Any]]:
    user = request_user(request)
    try:
        return inbox_lead(user, lead_id), assignee_of(user)
    except Lead.DoesNotExist:
        raise Http404 from None


@router.get("/inbox", response={200: list[InboxLeadOut], **ERRORS})
@paginate(Pages)
def inbox(request: HttpRequest, closed: bool = False) -> Any:
    """Open leads (assigned, opened, in progress), or closed ones with ``?closed=true``."""
    return inbox_for(request_user(request), closed=closed)


@router.post("/inbox/{lead_id}/open", response={200: InboxLeadOut, **ERRORS})
def open_lead(request: HttpRequest, lead_id: RecordId) -> Lead:
    """Mark the lead opened (the first call only), as viewing it in the portal does."""
    lead, who = _mine(request, lead_id)
    services.assignment_open(lead=lead, actor=request_user(request), **who)
    lead.refresh_from_db()
    return lead


@router.post("/inbox/{lead_id}/status", response={200: InboxLeadOut, **ERRORS})
def declare(request: HttpRequest, lead_id: RecordId, payload: DeclareIn) -> Lead:
    """In progress, won (``amount`` excl. VAT required) or lost (``lost_reason`` required)."""
    lead, who = _mine(request, lead_id)
    return services.assignee_declare(
        lead=lead,
        to=payload.to,
        actor=request_user(request),
        amount=payload.amount,
        lost_reason=payload.lost_reason,
        **who,
    )


@router.post("/inbox/{lead_id}/decline", response={204: None, **ERRORS})
def decline(request: HttpRequest, lead_id: RecordId, payload: DeclineIn) -> Status:
    """Give the lead back with a reason; it goes to someone else, never back to you."""
    lead, who = _mine(request, lead_id)
    services.assignment_decline(
        lead=lead, actor=request_user(request), reason=payload.reason, **who
    )
    return Status(204, None)
