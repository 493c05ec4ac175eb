"""``/api/v1/commissions/``: commission lines (a cursor walks millions), partners' statements,
self-billed invoices (the PDF/A-3 and its Factur-X XML), payment runs and their SEPA file.

Scoped as the pages are, through the same selectors: a manager reaches the whole network's; a
partner's user its own partner's lines, statements and invoices (as the portal shows them) and
no payment run (the network's, a manager's page); anyone else nothing. Approving and releasing
lines is a manager's, through the services the lines page calls."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.accounts.models import User
from relais.commissions import selectors
from relais.commissions.choices import InvoiceType, LineKind, LineStatus, RunStatus
from relais.commissions.models import CommissionLine, Invoice, PaymentItem, PaymentRun
from relais.commissions.services import documents, lines
from relais.core.apischema import ERRORS, CursorPages, IsoDate, Pages, RecordId
from relais.core.deferred import say
from relais.core.http import attachment

router = Router(tags=["commissions"])
BATCH_LIMIT = 1000


def _file(content_type: str, what: str) -> dict[str, Any]:
    """The OpenAPI answer of a download: a file of ``content_type``, not JSON."""
    return {
        "responses": {
            200: {
                "description": what,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.can_manage:
        raise PermissionDenied(_("Only managers handle payment runs and approve lines."))
    return user


def _scoped[T](lookup: Callable[..., T], request: HttpRequest, pk: int) -> T:
    """``lookup`` (a ``*_get_for_user`` selector) for the token's user, else a 404: outside
    the scope is answered as not existing."""
    try:
        return lookup(user=request_user(request), pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


# --- Lines -----------------------------------------------------------------------------------


class LineOut(Schema):
    id: int
    partner_id: int
    lead_id: int | None
    kind: LineKind
    status: LineStatus
    amount: Decimal = Field(description="Euros excl. VAT; negative for a clawback or a gift.")
    base: Decimal | None = Field(description="The amount it was computed on, euros excl. VAT.")
    earned_on: date
    rule_code: str | None
    hold_reason: str = Field(description="Why it is held (not paid until released); or empty.")
    reverses_id: int | None = Field(description="A clawback: the line it takes back.")
    payment_run_id: int | None
    approved_at: datetime | None
    paid_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_rule_code(obj: CommissionLine) -> str | None:
        return obj.rule.code if obj.rule else None


class LineFilters(Schema):
    status: LineStatus | None = None
    kind: LineKind | None = None
    partner: RecordId | None = Field(None, description="Managers: one partner's lines.")
    on_hold: bool | None = None
    earned_from: IsoDate | None = None
    earned_until: IsoDate | None = None


class LineIdsIn(Schema):
    ids: list[RecordId] = Field(min_length=1, max_length=BATCH_LIMIT)


class MovedOut(Schema):
    moved: int


@router.get("/commissions/lines", response={200: list[LineOut], **ERRORS})
@paginate(CursorPages, ordering=("-earned_on", "-pk"))
def line_list(request: HttpRequest, filters: Query[LineFilters]) -> Any:
    """The lines the token's user sees (a partner: its own), latest earned first."""
    rows = selectors.commission_lines_for_user(user=request_user(request))
    for name in ("status", "kind"):
        if getattr(filters, name):
            rows = rows.filter(**{name: getattr(filters, name)})
    if filters.partner is not None:
        rows = rows.filter(partner_id=filters.partner)
    if filters.on_hold is not None:
        rows = rows.exclude(hold_reason="") if filters.on_hold else rows.filter(hold_reason="")
    if filters.earned_from is not None:
        rows = rows.filter(earned_on__gte=filters.earned_from)
    if filters.earned_until is not None:
        rows = rows.filter(earned_on__lte=filters.earned_until)
    return rows


@router.post("/commissions/lines/approve", response={200: MovedOut, **ERRORS})
def line_approve(request: HttpRequest, payload: LineIdsIn) -> dict[str, int]:
    """Pending lines become approved: all of them or none (409 naming how many are not)."""
    return {"moved": lines.lines_approve(ids=payload.ids, actor=_manager(request))}


@router.post("/commissions/lines/release", response={200: MovedOut, **ERRORS})
def line_release(request: HttpRequest, payload: LineIdsIn) -> dict[str, int]:
    """Approved lines become payable (the next payment run takes them): all or none."""
    return {"moved": lines.lines_release(ids=payload.ids, actor=_manager(request))}


# Declared after the actions: its path would take theirs (``approve`` read as an id).
@router.get("/commissions/lines/{line_id}", response={200: LineOut, **ERRORS})
def line_detail(request: HttpRequest, line_id: RecordId) -> CommissionLine:
    return _scoped(selectors.commission_line_get_for_user, request, line_id)


# --- Statements (a partner's payment in a run) -------------------------------------------------


class StatementOut(Schema):
    id: int
    run_id: int
    partner_id: int
    execution_date: date = Field(description="The transfer's requested execution date.")
    amount_excl_vat: Decimal
    vat: Decimal
    amount: Decimal = Field(description="Transferred, euros.")
    paid_at: datetime | None
    statement_ready: bool = Field(description="Its PDF is made (`…/pdf` serves it).")
    invoice_id: int | None = Field(description="The self-billed invoice of this payment.")

    @staticmethod
    def resolve_execution_date(obj: PaymentItem) -> date:
        return obj.run.execution_date

    @staticmethod
    def resolve_statement_ready(obj: PaymentItem) -> bool:
        return bool(obj.statement)

    @staticmethod
    def resolve_invoice_id(obj: PaymentItem) -> int | None:
        invoice = getattr(obj, "invoice", None)
        return invoice.pk if invoice is not None else None


class StatementFilters(Schema):
    partner: RecordId | None = Field(None, description="Managers: one partner's statements.")
    run: RecordId | None = None


class PendingOut(Schema):
    status: str = Field(description="`pending`: being made; ask again after `Retry-After`.")
    retry_after: int


@router.get("/commissions/statements", response={200: list[StatementOut], **ERRORS})
@paginate(Pages)
def statement_list(request: HttpRequest, filters: Query[StatementFilters]) -> Any:
    """Payments to partners, one per partner and run, latest run first."""
    rows = selectors.payment_items_for_user(user=request_user(request)).select_related("invoice")
    if filters.partner is not None:
        rows = rows.filter(partner_id=filters.partner)
    if filters.run is not None:
        rows = rows.filter(run_id=filters.run)
    return rows.order_by("-run__execution_date", "-pk")


@router.get("/commissions/statements/{item_id}", response={200: StatementOut, **ERRORS})
def statement_detail(request: HttpRequest, item_id: RecordId) -> PaymentItem:
    return _scoped(selectors.payment_item_get_for_user, request, item_id)


@router.get(
    "/commissions/statements/{item_id}/pdf",
    response={202: PendingOut, **ERRORS},
    openapi_extra=_file("application/pdf", "The statement, as the task worker made it."),
)
def statement_pdf(request: HttpRequest, item_id: RecordId, response: HttpResponse) -> Any:
    """The statement's PDF; until the worker has made it, 202 with `Retry-After` (its making
    queued), as the pages answer."""
    item: PaymentItem = _scoped(selectors.payment_item_get_for_user, request, item_id)
    if not item.statement:
        documents.statement_request(item=item)
        wait = documents.STATEMENT_REQUEUE_SECONDS
        response["Retry-After"] = str(wait)
        return Status(202, {"status": "pending", "retry_after": wait})
    name = f"releve-{item.run_id}-{item.partner_id}.pdf"
    return FileResponse(item.statement.open("rb"), as_attachment=True, filename=name)


# --- Invoices ------------------------------------------------------------------------------------


class InvoiceOut(Schema):
    id: int
    number: str
    type_code: InvoiceType = Field(description="389 self-billed invoice, 261 credit note.")
    partner_id: int
    statement_id: int | None = Field(description="The payment it was issued for.")
    credit_for_id: int | None = Field(description="A credit note: the invoice it corrects.")
    issue_date: date
    period_start: date
    period_end: date
    total_excl_vat: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total_incl_vat: Decimal
    vat_mention: str

    @staticmethod
    def resolve_statement_id(obj: Invoice) -> int | None:
        return obj.item_id


class InvoiceFilters(Schema):
    partner: RecordId | None = Field(None, description="Managers: one partner's invoices.")
    type_code: InvoiceType | None = None
    issued_from: IsoDate | None = None
    issued_until: IsoDate | None = None


@router.get("/commissions/invoices", response={200: list[InvoiceOut], **ERRORS})
@paginate(Pages)
def invoice_list(request: HttpRequest, filters: Query[InvoiceFilters]) -> Any:
    """Self-billed invoices and credit notes, latest number first."""
    rows = selectors.invoices_for_user(user=request_user(request))
    if filters.partner is not None:
        rows = rows.filter(partner_id=filters.partner)
    if filters.type_code:
        rows = rows.filter(type_code=filters.type_code)
    if filters.issued_from is not None:
        rows = rows.filter(issue_date__gte=filters.issued_from)
    if filters.issued_until is not None:
        rows = rows.filter(issue_date__lte=filters.issued_until)
    return rows.order_by("-sequence")


@router.get("/commissions/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS})
def invoice_detail(request: HttpRequest, invoice_id: RecordId) -> Invoice:
    return _scoped(selectors.invoice_get_for_user, request, invoice_id)


@router.get(
    "/commissions/invoices/{invoice_id}/pdf",
    response=ERRORS,
    openapi_extra=_file("application/pdf", "The invoice: PDF/A-3 with its Factur-X XML inside."),
)
def invoice_pdf(request: HttpRequest, invoice_id: RecordId) -> HttpResponseBase:
    invoice: Invoice = _scoped(selectors.invoice_get_for_user, request, invoice_id)
    return FileResponse(
        invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf"
    )


@router.get(
    "/commissions/invoices/{invoice_id}/xml",
    response=ERRORS,
    openapi_extra=_file("application/xml", "The Factur-X (EN 16931, CII) XML of the invoice."),
)
def invoice_xml(request: HttpRequest, invoice_id: RecordId) -> HttpResponse:
    invoice: Invoice = _scoped(selectors.invoice_get_for_user, request, invoice_id)
    return attachment(invoice.xml, "application/xml", f"{invoice.number}.xml")


# --- Payment runs ------------------------------------------------------------------------------


class BlockedOut(Schema):
    partner_id: int
    name: str
    amount: Decimal
    reasons: list[str] = Field(description="Why it was not paid, in the caller's language.")


class RunOut(Schema):
    id: int
    status: RunStatus
    cutoff: date = Field(description="The payable lines earned up to this day were taken.")
    execution_date: date
    sepa_schema: str = Field(description="The SEPA credit transfer format of its file.")
    total: Decimal = Field(description="The transfers' total, euros.")
    transfers: int
    blocked: list[BlockedOut] = Field(description="Partners left out, and why.")
    created_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_sepa_schema(obj: PaymentRun) -> str:
        return obj.schema

    @staticmethod
    def resolve_transfers(obj: PaymentRun) -> int:
        return getattr(obj, "transfers", None) or obj.items.count()

    @staticmethod
    def resolve_blocked(obj: PaymentRun) -> list[dict[str, Any]]:
        return [
            {
                "partner_id": b["partner"],
                "name": b["name"],
                "amount": Decimal(b["amount"]),
                "reasons": [say(r) for r in b["reasons"]],
            }
            for b in obj.blocked or []
        ]


class RunFilters(Schema):
    status: RunStatus | None = None


@router.get("/commissions/payment-runs", response={200: list[RunOut], **ERRORS})
@paginate(Pages)
def run_list(request: HttpRequest, filters: Query[RunFilters]) -> Any:
    """Managers: the payment runs, latest first."""
    runs = selectors.payment_runs_for_user(user=_manager(request)).defer("sepa_xml")
    if filters.status:
        runs = runs.filter(status=filters.status)
    return runs.order_by("-created_at", "-pk")


@router.get("/commissions/payment-runs/{run_id}", response={200: RunOut, **ERRORS})
def run_detail(request: HttpRequest, run_id: RecordId) -> PaymentRun:
    _manager(request)
    return _scoped(selectors.payment_run_get_for_user, request, run_id)


@router.get(
    "/commissions/payment-runs/{run_id}/sepa",
    response=ERRORS,
    openapi_extra=_file("application/xml", "The run's SEPA credit transfer file (pain.001)."),
)
def run_sepa(request: HttpRequest, run_id: RecordId) -> HttpResponse:
    """The file to send to the bank, as the run's page gives it."""
    _manager(request)
    run: PaymentRun = _scoped(selectors.payment_run_get_for_user, request, run_id)
    return attachment(run.sepa_xml, "application/xml", f"sepa-{run.pk}.xml")
