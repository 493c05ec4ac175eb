"""``/api/v1/inbox``: the leads assigned to the token's reseller (or salesperson), and what the
assignee does with them: open, declare a status, decline. Same services as the portal inbox.
``/api/v1/routing/``: managers' unassigned queue and their assignment by hand, as the pages do.
``/api/v1/kpis``: the resellers' KPIs as the pages show them (the shared snapshot): the whole
table for managers, a reseller its own row beside the network's average, nobody else."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.core.apischema import ERRORS, Pages, RecordId
from relais.core.errors import DomainError
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.leads.selectors import lead_get_for_user
from relais.partners.choices import PartnerKind
from relais.partners.selectors import partner_for_user
from relais.routing import services
from relais.routing.forms import AssignForm
from relais.routing.kpis import COUNTED, Kpi, Snapshot, kpi_snapshot, network_average
from relais.routing.models import Assignment
from relais.routing.selectors import assignee_of, inbox_for, inbox_lead, unassigned_queue

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


class InboxDeclineIn(Schema):
    """A schema name of its own: the OpenAPI components are one namespace for every app."""

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
def decline(request: HttpRequest, lead_id: RecordId, payload: InboxDeclineIn) -> Status:
    """Give the lead back with a reason; it goes to someone else, never back to you."""
    lead, who = _mine(request, lead_id)
    services.assignment_decline(
        lead=lead, actor=request_user(request), reason=payload.reason, **who
    )
    return Status(204, None)


# --- KPIs ------------------------------------------------------------------------------------


class KpiOut(Schema):
    """One reseller's figures over the period (the network's: means per reseller, pooled rates)."""

    reseller_id: int | None = Field(description="Null for the network's average.")
    name: str
    rank: int | None
    received: float
    opened: float
    treated: float
    won: float
    lost: float
    declined: float
    expired: float
    reminders: float
    revenue: Decimal = Field(description="Won amounts excl. VAT, euros.")
    open_rate: float | None
    treatment_rate: float | None
    closure_rate: float | None
    conversion: float | None
    median_open_hours: float | None
    yearly_leads: float


class KpiPeriodOut(Schema):
    period: str = Field(description="`12m` or a calendar year.")
    start: datetime
    end: datetime
    computed_at: datetime = Field(description="The shared snapshot's time (at most minutes old).")
    resellers: int = Field(description="How many resellers the table ranks.")
    network: KpiOut


class MyKpisOut(KpiPeriodOut):
    mine: KpiOut | None = Field(description="Null when no lead reached you in the period.")


KPI_FIELDS = (
    "received",
    "opened",
    "treated",
    "won",
    "lost",
    "declined",
    "expired",
    "reminders",
    "revenue",
    "open_rate",
    "treatment_rate",
    "closure_rate",
    "conversion",
    "median_open_hours",
    "yearly_leads",
)


def _kpi(row: Any, *, reseller: int | None, name: str, rank: int | None) -> dict[str, Any]:
    return {"reseller_id": reseller, "name": name, "rank": rank} | {
        f: getattr(row, f) for f in KPI_FIELDS
    }


def _mean(total: int, assignees: int) -> float:
    return round(total / assignees, 1) if assignees else 0.0


def _row(k: Kpi) -> dict[str, Any]:
    return _kpi(k, reseller=k.assignee, name=k.name, rank=k.rank)


def _period(snapshot: Snapshot) -> dict[str, Any]:
    network = network_average(snapshot.table)
    return {
        "period": snapshot.period,
        "start": snapshot.start,
        "end": snapshot.end,
        "computed_at": snapshot.computed_at,
        "resellers": len(snapshot.table),
        "network": _kpi(network.pooled, reseller=None, name=_("Network average"), rank=None)
        | {f: _mean(getattr(network.pooled, f), network.assignees) for f in COUNTED}
        | {"revenue": network.revenue},
    }


@router.get("/kpis", response={200: KpiPeriodOut, **ERRORS}, tags=["kpis"])
def kpis_network(request: HttpRequest, period: str | None = None) -> dict[str, Any]:
    """Managers: the period's network average (`?period=12m` or a year; else 12 months)."""
    if not request_user(request).can_manage:
        raise PermissionDenied(_("Only managers read the network's KPIs."))
    return _period(kpi_snapshot(period))


@router.get("/kpis/resellers", response={200: list[KpiOut], **ERRORS}, tags=["kpis"])
@paginate(Pages)
def kpis_resellers(request: HttpRequest, period: str | None = None) -> Any:
    """Managers: every reseller's row, in rank order."""
    if not request_user(request).can_manage:
        raise PermissionDenied(_("Only managers read the network's KPIs."))
    return [_row(k) for k in kpi_snapshot(period).table]


@router.get("/kpis/me", response={200: MyKpisOut, **ERRORS}, tags=["kpis"])
def kpis_mine(request: HttpRequest, period: str | None = None) -> dict[str, Any]:
    """A reseller's own row beside the network's average (never another reseller's)."""
    partner = partner_for_user(request_user(request))
    if partner is None or partner.kind != PartnerKind.RESELLER:
        raise PermissionDenied(_("Only a reseller's users have KPIs of their own."))
    snapshot = kpi_snapshot(period)
    mine = next((k for k in snapshot.table if k.assignee == partner.pk), None)
    return _period(snapshot) | {"mine": _row(mine) if mine else None}


# --- Managers: the unassigned queue, assignment by hand -----------------------------------------


class UnassignedOut(Schema):
    id: int
    status: LeadStatus
    prospect_name: str
    postcode: str
    city: str
    need: str
    submitted_at: datetime
    unassigned_at: datetime = Field(description="When the router last found no one.")
    unassigned_reason: str | None = Field(description="The router's words.")


class AssignIn(Schema):
    reseller_id: RecordId | None = Field(None, description="An active reseller; or:")
    salesperson_id: RecordId | None = Field(None, description="A salesperson with a territory.")
    reason: str = Field(max_length=200, description="Why by hand (kept on the timeline).")


class AssignmentOut(Schema):
    id: int
    lead_id: int
    reseller_id: int | None
    salesperson_id: int | None
    assigned_at: datetime


class Invalid(DomainError):
    status = 422


def _managing(request: HttpRequest) -> None:
    if not request_user(request).can_manage:
        raise PermissionDenied(_("Only managers assign leads."))


@router.get("/routing/unassigned", response={200: list[UnassignedOut], **ERRORS})
@paginate(Pages)
def unassigned(request: HttpRequest) -> Any:
    """Qualified leads the router could give no one, oldest first (the managers' queue)."""
    _managing(request)
    return unassigned_queue()


@router.post("/routing/leads/{lead_id}/assign", response={201: AssignmentOut, **ERRORS})
def assign(request: HttpRequest, lead_id: RecordId, payload: AssignIn) -> Status:
    """Give the lead to a reseller or a salesperson (one of them), over the router and over
    capacity, as the assignment page does; the choices are the page's."""
    _managing(request)
    user = request_user(request)
    try:
        lead = lead_get_for_user(user, lead_id)
    except Lead.DoesNotExist:
        raise Http404 from None
    data = {"reseller": payload.reseller_id, "salesperson": payload.salesperson_id}
    form = AssignForm({k: v for k, v in data.items() if v} | {"reason": payload.reason}, lead=lead)
    if not form.is_valid():
        named = {
            {"reseller": "reseller_id", "salesperson": "salesperson_id"}.get(f, f): str(e[0])
            for f, e in form.errors.items()
        }
        fields = {("body" if f == "__all__" else f): m for f, m in named.items()}
        raise Invalid("; ".join(fields.values()), code="invalid", fields=fields)
    made: Assignment = services.assignment_create(lead=lead, actor=user, **form.cleaned_data)
    return Status(201, made)
