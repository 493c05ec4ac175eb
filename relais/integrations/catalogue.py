"""The documented catalogue of webhook event types: what each one means, its payload version
and its payload's schema (shown in the manager's form and in the OpenAPI document's webhooks
section), and how each domain event (``core.events``) turns into the webhook events it carries.

Every payload has the Standard Webhooks shape ``{"type", "timestamp", "data"}`` plus
``version``: a change that could break a receiver makes a new version, never edits one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from relais.challenges.events import ChallengeClosed, ChallengeLaunched
from relais.challenges.models import Challenge
from relais.challenges.results import challenge_winners
from relais.commissions.choices import LineKind
from relais.commissions.events import (
    CommissionLinesCreated,
    CommissionLinesMoved,
    PaymentRunBuilt,
    PaymentRunPaid,
)
from relais.commissions.models import CommissionLine, PaymentRun
from relais.core.events import Event
from relais.leads.choices import LeadStatus
from relais.leads.events import (
    DealCollected,
    DealRefunded,
    LeadRecorded,
    LeadsMoved,
    LeadsSubmitted,
    LeadWon,
)
from relais.leads.models import Lead, LeadEvent
from relais.partners.events import ContractSigned, PartnerCreated, PartnerStatusChanged
from relais.partners.models import Partner, Signature
from relais.surveys.choices import Category, category_of
from relais.surveys.events import SurveyAnswered
from relais.surveys.models import Answer
from relais.training.events import TrainingCompleted
from relais.training.models import Certificate

# --- Payload schemas (documentation and the test event) ---------------------------------------


class LeadData(Schema):
    lead_id: int
    status: str = Field(description="The lead's status when the event was sent out.")
    channel: str
    partner_id: int | None = Field(description="The introducer or reseller who referred it.")
    duplicate_of: int | None = Field(description="The earlier lead with the same prospect.")
    postcode: str
    assigned_reseller_id: int | None
    assigned_salesperson_id: int | None
    submitted_at: datetime
    won_amount: Decimal | None
    won_date: date | None


class LeadMoveData(LeadData):
    from_status: str = Field(description="The status it left.")
    to_status: str = Field(description="The status it reached (``status`` may be later).")


class DealMoneyData(LeadData):
    amount: Decimal = Field(description="Received (collected) or given back (refunded), euros.")
    entry_id: int = Field(description="The timeline entry: unique per payment or refund.")


class PartnerData(Schema):
    partner_id: int
    kind: str = Field(description="introducer or reseller")
    status: str
    display_name: str
    email: str
    siren: str
    postcode: str
    created_at: datetime


class PartnerMoveData(PartnerData):
    from_status: str
    to_status: str


class ContractData(PartnerData):
    signature_id: int
    document: str = Field(description="The signed document's title and version.")
    signed_at: datetime
    expires_at: datetime | None


class CommissionLineData(Schema):
    line_id: int
    partner_id: int = Field(description="The partner who earns it (or gives it back).")
    lead_id: int | None = Field(description="The deal it was earned on (none for a bonus, a gift).")
    kind: str = Field(description="commission, bonus, clawback or gift")
    status: str = Field(description="pending, approved, payable or paid, when sent out.")
    amount: Decimal = Field(description="Euros excl. VAT; negative for a clawback or a gift.")
    base: Decimal | None = Field(description="The amount it was computed on, euros excl. VAT.")
    earned_on: date
    rule_code: str | None = Field(description="The plan rule that made it.")
    on_hold: bool = Field(description="Held by a manager or a check: not paid until released.")
    reverses_id: int | None = Field(description="A clawback: the line it takes back.")
    payment_run_id: int | None


class CommissionLineMoveData(CommissionLineData):
    from_status: str
    to_status: str


class PaymentRunData(Schema):
    run_id: int
    status: str = Field(description="draft, sent, paid or cancelled, when sent out.")
    cutoff: date = Field(description="The lines earned up to this day were taken.")
    execution_date: date = Field(description="The transfers' requested execution date.")
    total: Decimal = Field(description="The transfers' total, euros incl. VAT.")
    transfers: int = Field(description="How many partners the run pays.")
    blocked: int = Field(description="How many partners it could not pay (missing documents).")
    sepa_schema: str = Field(description="The SEPA credit transfer format of its file.")
    created_at: datetime
    closed_at: datetime | None


class SurveyAnswerData(Schema):
    answer_id: int
    survey_id: int
    customer_id: int
    score: int = Field(description="0 to 10.")
    category: str = Field(description="promoter (9-10), passive (7-8) or detractor (0-6)")
    previous_score: int | None = Field(description="A changed answer: the score it replaced.")
    reseller_id: int | None = Field(description="The reseller who sold the deal.")
    salesperson_id: int | None
    answered_at: datetime
    changed_at: datetime | None


class TrainingData(Schema):
    certificate_id: int
    partner_id: int
    module_id: int | None = Field(description="The module done (or null: a whole path).")
    path_id: int | None
    module_version: int
    round: int = Field(description="1 the first time; more when done again after lapsing.")
    code: str = Field(description="The certificate's public verification code.")
    issued_at: datetime
    expires_at: datetime | None


class ChallengeData(Schema):
    challenge_id: int
    name: str
    status: str = Field(description="scheduled, running, ended or cancelled, when sent out.")
    metric: str = Field(description="What counts: submitted, qualified, won, revenue, trainings.")
    mechanic: str = Field(
        description="ranking (the first N), threshold (reach one's target) or levels."
    )
    starts_on: date
    ends_on: date
    participants: int


class ChallengeWinnerData(Schema):
    rank: int = Field(description="The winner's place on the leaderboard.")
    partner_id: int
    progress: Decimal = Field(description="The figure reached (euros excl. VAT for revenue).")
    target: Decimal
    level: int | None = Field(description="Levels mechanic: the highest level reached, in %.")


class ChallengeClosedData(ChallengeData):
    winners: list[ChallengeWinnerData] = Field(description="Who won; empty when cancelled.")


@dataclass(frozen=True)
class EventType:
    code: str
    label: str | Promise
    description: str | Promise
    schema: type[Schema]
    version: int = 1


CATALOGUE: tuple[EventType, ...] = (
    EventType(
        "lead.created",
        _("Lead created"),
        _("A lead was received (any channel: referral form, portal, API, import, e-mail)."),
        LeadData,
    ),
    EventType(
        "lead.duplicate_flagged",
        _("Lead flagged as duplicate"),
        _("A lead received names a prospect an earlier lead already holds."),
        LeadData,
    ),
    EventType(
        "lead.status_changed",
        _("Lead status changed"),
        _("A lead moved from one status to another (every move, assignments included)."),
        LeadMoveData,
    ),
    EventType(
        "lead.assigned",
        _("Lead assigned"),
        _("A lead was given to a reseller or a salesperson."),
        LeadMoveData,
    ),
    EventType(
        "lead.opened",
        _("Lead opened"),
        _("The assignee opened the lead for the first time."),
        LeadMoveData,
    ),
    EventType("lead.won", _("Lead won"), _("A deal was won on the lead."), LeadData),
    EventType(
        "deal.collected",
        _("Payment collected"),
        _("Money was received for a won deal."),
        DealMoneyData,
    ),
    EventType(
        "deal.refunded",
        _("Deal refunded"),
        _("A won deal was cancelled or partly refunded."),
        DealMoneyData,
    ),
    EventType(
        "partner.created",
        _("Partner created"),
        _("A partner (introducer or reseller) was created, as a candidate."),
        PartnerData,
    ),
    EventType(
        "partner.status_changed",
        _("Partner status changed"),
        _("A partner moved from one status to another (candidate, active, paused, ended)."),
        PartnerMoveData,
    ),
    EventType(
        "partner.contract_signed",
        _("Contract signed"),
        _("A partner signed a contract or a charter."),
        ContractData,
    ),
    EventType(
        "commission.line_created",
        _("Commission line created"),
        _("A commission line was written: earned on a deal, a bonus, a clawback or a gift."),
        CommissionLineData,
    ),
    EventType(
        "commission.status_changed",
        _("Commission line status changed"),
        _("A commission line was approved, released for payment or paid."),
        CommissionLineMoveData,
    ),
    EventType(
        "commission.clawed_back",
        _("Commission clawed back"),
        _("A refunded or cancelled deal took back part of a line (a negative line)."),
        CommissionLineData,
    ),
    EventType(
        "payment_run.file_built",
        _("Payment run prepared"),
        _("A payment run reserved the payable lines and wrote its SEPA transfer file."),
        PaymentRunData,
    ),
    EventType(
        "payment_run.paid",
        _("Payment run paid"),
        _("Every transfer of a payment run was recorded as paid."),
        PaymentRunData,
    ),
    EventType(
        "survey.answered",
        _("Survey answered"),
        _("A customer gave a score (0 to 10) to a satisfaction survey, or changed it."),
        SurveyAnswerData,
    ),
    EventType(
        "survey.detractor",
        _("Detractor"),
        _("A customer's score became a detractor's (0 to 6): someone should call back."),
        SurveyAnswerData,
    ),
    EventType(
        "training.completed",
        _("Training completed"),
        _("A partner earned a certificate: a module read and its quiz passed, or a path."),
        TrainingData,
    ),
    EventType(
        "challenge.launched",
        _("Challenge launched"),
        _("A challenge started running: its participants' progress counts from now."),
        ChallengeData,
    ),
    EventType(
        "challenge.closed",
        _("Challenge closed"),
        _("A challenge ended, with its winners, or was cancelled (no winner)."),
        ChallengeClosedData,
    ),
)
BY_CODE = {t.code: t for t in CATALOGUE}
TEST_EVENT = "webhook.test"  # the "send test event" button's; no endpoint subscribes to it


def choices() -> list[tuple[str, str]]:
    return [(t.code, f"{t.code} — {t.label}") for t in CATALOGUE]


# --- From domain events to webhook events -----------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One webhook event a domain event carries: ``key`` tells apart the several a batch
    event carries (the lead's id), so each has its own stable webhook id."""

    key: str
    code: str
    data: dict[str, Any]


def lead_data(lead: Lead) -> dict[str, Any]:
    return {
        "lead_id": lead.pk,
        "status": lead.status,
        "channel": lead.channel,
        "partner_id": lead.partner_id,
        "duplicate_of": lead.duplicate_of_id,
        "postcode": lead.postcode,
        "assigned_reseller_id": lead.assigned_reseller_id,
        "assigned_salesperson_id": lead.assigned_salesperson_id,
        "submitted_at": lead.submitted_at,
        "won_amount": lead.won_amount,
        "won_date": lead.won_date,
    }


def partner_data(partner: Partner) -> dict[str, Any]:
    return {
        "partner_id": partner.pk,
        "kind": partner.kind,
        "status": partner.status,
        "display_name": partner.display_name,
        "email": partner.email,
        "siren": partner.siren,
        "postcode": partner.postcode,
        "created_at": partner.created_at,
    }


def _move_codes(to_status: str) -> list[str]:
    codes = ["lead.status_changed"]
    if to_status == LeadStatus.ASSIGNED:
        codes.append("lead.assigned")
    if to_status == LeadStatus.OPENED:
        codes.append("lead.opened")
    return codes


def _submitted(event: LeadsSubmitted) -> Iterator[Outgoing]:
    for lead in Lead.objects.filter(pk__in=event.lead_ids).order_by("pk"):
        yield Outgoing(str(lead.pk), "lead.created", lead_data(lead))
        if lead.duplicate_of_id:
            yield Outgoing(f"{lead.pk}.dup", "lead.duplicate_flagged", lead_data(lead))


def _recorded(event: LeadRecorded) -> Iterator[Outgoing]:
    if not event.to_status or event.to_status == event.from_status:
        return  # a note, a reminder, an attribution: not a move
    lead = Lead.objects.filter(pk=event.lead_id).first()
    if lead is None:
        return
    data = lead_data(lead) | {"from_status": event.from_status, "to_status": event.to_status}
    for code in _move_codes(event.to_status):
        yield Outgoing(code, code, data)


def _moved(event: LeadsMoved) -> Iterator[Outgoing]:
    move = {"from_status": event.from_status, "to_status": event.to_status}
    for lead in Lead.objects.filter(pk__in=event.lead_ids).order_by("pk"):
        for code in _move_codes(event.to_status):
            yield Outgoing(f"{lead.pk}.{code}", code, lead_data(lead) | move)


def _won(event: LeadWon) -> Iterator[Outgoing]:
    lead = Lead.objects.filter(pk=event.lead_id).first()
    if lead is not None:
        yield Outgoing("", "lead.won", lead_data(lead))


def _money(code: str) -> Callable[[Any], Iterator[Outgoing]]:
    def outgoing(event: DealCollected | DealRefunded) -> Iterator[Outgoing]:
        entry = LeadEvent.objects.filter(pk=event.event_id).select_related("lead").first()
        if entry is not None:
            amount = (entry.data or {}).get("amount", "0")
            data = lead_data(entry.lead) | {"amount": Decimal(str(amount)), "entry_id": entry.pk}
            yield Outgoing("", code, data)

    return outgoing


def _partner_created(event: PartnerCreated) -> Iterator[Outgoing]:
    partner = Partner.objects.filter(pk=event.partner_id).first()
    if partner is not None:
        yield Outgoing("", "partner.created", partner_data(partner))


def _partner_moved(event: PartnerStatusChanged) -> Iterator[Outgoing]:
    partner = Partner.objects.filter(pk=event.partner_id).first()
    if partner is not None:
        move = {"from_status": event.from_status, "to_status": event.to_status}
        yield Outgoing("", "partner.status_changed", partner_data(partner) | move)


def _signed(event: ContractSigned) -> Iterator[Outgoing]:
    signature = (
        Signature.objects.filter(pk=event.signature_id)
        .select_related("partner", "template")
        .first()
    )
    if signature is not None:
        data = partner_data(signature.partner) | {
            "signature_id": signature.pk,
            "document": str(signature.template),
            "signed_at": signature.signed_at,
            "expires_at": signature.expires_at,
        }
        yield Outgoing("", "partner.contract_signed", data)


def line_data(line: CommissionLine) -> dict[str, Any]:
    return {
        "line_id": line.pk,
        "partner_id": line.partner_id,
        "lead_id": line.lead_id,
        "kind": line.kind,
        "status": line.status,
        "amount": line.amount,
        "base": line.base,
        "earned_on": line.earned_on,
        "rule_code": line.rule.code if line.rule else None,
        "on_hold": bool(line.hold_reason),
        "reverses_id": line.reverses_id,
        "payment_run_id": line.payment_run_id,
    }


def _lines(ids: list[int]) -> Any:
    return CommissionLine.objects.filter(pk__in=ids).select_related("rule").order_by("pk")


def _lines_created(event: CommissionLinesCreated) -> Iterator[Outgoing]:
    for line in _lines(event.line_ids):
        yield Outgoing(str(line.pk), "commission.line_created", line_data(line))
        if line.kind == LineKind.CLAWBACK:
            yield Outgoing(f"{line.pk}.clawback", "commission.clawed_back", line_data(line))


def _lines_moved(event: CommissionLinesMoved) -> Iterator[Outgoing]:
    move = {"from_status": event.from_status, "to_status": event.to_status}
    for line in _lines(event.line_ids):
        yield Outgoing(str(line.pk), "commission.status_changed", line_data(line) | move)


def run_data(run: PaymentRun) -> dict[str, Any]:
    return {
        "run_id": run.pk,
        "status": run.status,
        "cutoff": run.cutoff,
        "execution_date": run.execution_date,
        "total": run.total,
        "transfers": run.items.count(),
        "blocked": len(run.blocked or []),
        "sepa_schema": run.schema,
        "created_at": run.created_at,
        "closed_at": run.closed_at,
    }


def _run(code: str) -> Callable[[Any], Iterator[Outgoing]]:
    def outgoing(event: PaymentRunBuilt | PaymentRunPaid) -> Iterator[Outgoing]:
        run = PaymentRun.objects.defer("sepa_xml").filter(pk=event.run_id).first()
        if run is not None:
            yield Outgoing("", code, run_data(run))

    return outgoing


def _answered(event: SurveyAnswered) -> Iterator[Outgoing]:
    answer = Answer.objects.filter(pk=event.answer_id).first()
    if answer is None:
        return
    category = category_of(answer.score)
    data = {
        "answer_id": answer.pk,
        "survey_id": answer.request_id,
        "customer_id": answer.customer_id,
        "score": answer.score,
        "category": category.value,
        "previous_score": event.previous_score,
        "reseller_id": answer.reseller_id_copy,
        "salesperson_id": answer.salesperson_id_copy,
        "answered_at": answer.answered_at,
        "changed_at": answer.changed_at,
    }
    yield Outgoing("answered", "survey.answered", data)
    was = None if event.previous_score is None else category_of(event.previous_score)
    if category == Category.DETRACTOR and was != Category.DETRACTOR:
        yield Outgoing("detractor", "survey.detractor", data)


def _completed(event: TrainingCompleted) -> Iterator[Outgoing]:
    certificate = Certificate.objects.filter(pk=event.certificate_id).first()
    if certificate is not None:
        yield Outgoing(
            "",
            "training.completed",
            {
                "certificate_id": certificate.pk,
                "partner_id": certificate.partner_id,
                "module_id": certificate.module_id,
                "path_id": certificate.path_id,
                "module_version": certificate.version,
                "round": certificate.round,
                "code": certificate.code,
                "issued_at": certificate.issued_at,
                "expires_at": certificate.expires_at,
            },
        )


def challenge_data(challenge: Challenge) -> dict[str, Any]:
    return {
        "challenge_id": challenge.pk,
        "name": challenge.name,
        "status": challenge.status,
        "metric": challenge.metric,
        "mechanic": challenge.mechanic,
        "starts_on": challenge.starts_on,
        "ends_on": challenge.ends_on,
        "participants": challenge.participants.count(),
    }


def _launched(event: ChallengeLaunched) -> Iterator[Outgoing]:
    challenge = Challenge.objects.filter(pk=event.challenge_id).first()
    if challenge is not None:
        yield Outgoing("", "challenge.launched", challenge_data(challenge))


def _closed(event: ChallengeClosed) -> Iterator[Outgoing]:
    challenge = Challenge.objects.filter(pk=event.challenge_id).first()
    if challenge is None:
        return
    data = challenge_data(challenge)
    data["status"] = event.status
    won = challenge_winners(challenge=challenge) if event.status == "ended" else []
    data["winners"] = [
        {
            "rank": w.rank,
            "partner_id": w.participant.partner_id,
            "progress": w.participant.progress,
            "target": w.participant.target,
            "level": w.level,
        }
        for w in won
    ]
    yield Outgoing("", "challenge.closed", data)


# The one list of the domain events webhooks listen to (subscribed in ``apps.ready``).
SOURCES: dict[type[Event], Callable[[Any], Iterator[Outgoing]]] = {
    LeadsSubmitted: _submitted,
    LeadRecorded: _recorded,
    LeadsMoved: _moved,
    LeadWon: _won,
    DealCollected: _money("deal.collected"),
    DealRefunded: _money("deal.refunded"),
    PartnerCreated: _partner_created,
    PartnerStatusChanged: _partner_moved,
    ContractSigned: _signed,
    CommissionLinesCreated: _lines_created,
    CommissionLinesMoved: _lines_moved,
    PaymentRunBuilt: _run("payment_run.file_built"),
    PaymentRunPaid: _run("payment_run.paid"),
    SurveyAnswered: _answered,
    TrainingCompleted: _completed,
    ChallengeLaunched: _launched,
    ChallengeClosed: _closed,
}
