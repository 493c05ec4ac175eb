"""``/api/v1/network``: introductions between colleagues and account plans, for staff tokens,
through the same services and scoped getters as the pages (an introduction is its two
colleagues' only; asking through someone else's private relationship is a 404). Mounted in
``relais/api/api.py`` beside ``network.api``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.accounts.models import User
from relais.core.apischema import ERRORS, Pages, RecordId
from relais.core.errors import DomainError
from relais.network import introductions as intro_svc
from relais.network import plans as plan_svc
from relais.network import selectors
from relais.network.choices import Attitude, BuyingRole, IntroductionStatus
from relais.network.introduction_selectors import (
    introduction_for_user,
    introductions_for_user,
    owner_shown,
)
from relais.network.models import Introduction
from relais.network.plan_selectors import PlanView, plan_view

router = Router(tags=["network"])


def _staff(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.is_staff_member:
        raise PermissionDenied(_("Only staff reach the salespeople's network."))
    return user


class IntroductionOut(Schema):
    id: int
    relationship_id: int
    contact_id: int
    contact_name: str
    account_id: int
    requester_id: int
    owner_id: int | None = Field(description="None until the owner of an on-request one accepts.")
    why: str
    purpose: str
    status: IntroductionStatus
    decline_reason: str
    outcome_note: str
    lead_id: int | None
    created_at: datetime


class IntroductionIn(Schema):
    relationship_id: RecordId
    why: str = Field(min_length=1, max_length=2000)
    purpose: str = Field(min_length=1, max_length=2000)


class DeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class OutcomeIn(Schema):
    outcome: IntroductionStatus = Field(
        description="meeting_held, opportunity (creates the lead) or no_outcome."
    )
    note: str = Field("", max_length=2000)
    need: str = Field("", max_length=500)
    postcode: str = Field("", max_length=10)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    estimated_value: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


def _intro(intro: Introduction, user: User) -> dict[str, Any]:
    rel = intro.relationship
    return {
        "id": intro.pk,
        "relationship_id": rel.pk,
        "contact_id": rel.contact_id,
        "contact_name": str(rel.contact),
        "account_id": rel.account_id,
        "requester_id": intro.requester_id,
        "owner_id": rel.owner_id if owner_shown(intro=intro, user=user) else None,
        "why": intro.why,
        "purpose": intro.purpose,
        "status": intro.status,
        "decline_reason": intro.decline_reason,
        "outcome_note": intro.outcome_note,
        "lead_id": intro.lead_id,
        "created_at": intro.created_at,
    }


@router.get("/network/introductions", response={200: list[IntroductionOut], **ERRORS})
@paginate(Pages)
def list_introductions(request: HttpRequest) -> list[dict[str, Any]]:
    """What the token's user asked for and what they were asked."""
    user = _staff(request)
    return [_intro(i, user) for i in introductions_for_user(user=user)]


@router.post("/network/introductions", response={201: IntroductionOut, **ERRORS})
def request_introduction(request: HttpRequest, payload: IntroductionIn) -> Status:
    """Ask through a relationship the user may see (else 404); never of oneself (400)."""
    user = _staff(request)
    rel, _seen = selectors.relationship_for_user(user, payload.relationship_id)
    intro = intro_svc.introduction_request(
        requester=user, relationship=rel, why=payload.why, purpose=payload.purpose
    )
    return Status(201, _intro(introduction_for_user(user, intro.pk), user))


@router.get("/network/introductions/{introduction_id}", response={200: IntroductionOut, **ERRORS})
def get_introduction(request: HttpRequest, introduction_id: RecordId) -> dict[str, Any]:
    user = _staff(request)
    return _intro(introduction_for_user(user, introduction_id), user)


@router.post(
    "/network/introductions/{introduction_id}/accept", response={200: IntroductionOut, **ERRORS}
)
def accept_introduction(request: HttpRequest, introduction_id: RecordId) -> dict[str, Any]:
    """The relationship's owner only (400 otherwise); a decided one is a 409."""
    user = _staff(request)
    intro = intro_svc.introduction_accept(
        introduction=introduction_for_user(user, introduction_id), actor=user
    )
    return _intro(introduction_for_user(user, intro.pk), user)


@router.post(
    "/network/introductions/{introduction_id}/decline", response={200: IntroductionOut, **ERRORS}
)
def decline_introduction(
    request: HttpRequest, introduction_id: RecordId, payload: DeclineIn
) -> dict[str, Any]:
    user = _staff(request)
    intro = intro_svc.introduction_decline(
        introduction=introduction_for_user(user, introduction_id), actor=user, reason=payload.reason
    )
    return _intro(introduction_for_user(user, intro.pk), user)


@router.post(
    "/network/introductions/{introduction_id}/outcome", response={200: IntroductionOut, **ERRORS}
)
def record_outcome(
    request: HttpRequest, introduction_id: RecordId, payload: OutcomeIn
) -> dict[str, Any]:
    """The asker only. An opportunity opens the lead (its bad fields are a 400 naming them)."""
    user = _staff(request)
    data = payload.dict(exclude={"outcome", "note"})
    intro = intro_svc.introduction_outcome_record(
        introduction=introduction_for_user(user, introduction_id),
        actor=user,
        outcome=payload.outcome,
        note=payload.note,
        lead_data=data,
    )
    return _intro(introduction_for_user(user, intro.pk), user)


class KnownOut(Schema):
    relationship_id: int
    owner_id: int | None = Field(description="None: someone knows them — ask (on request).")
    owner_name: str | None
    shown_strength: int


class CentreOut(Schema):
    id: int
    contact_id: int
    contact_name: str
    role: BuyingRole
    attitude: Attitude
    note: str
    known: list[KnownOut]


class StepOut(Schema):
    id: int
    text: str
    owner_id: int | None
    due_on: date | None
    done: bool


class PlanOut(Schema):
    account_id: int
    strategy: str
    objectives: str
    owner_id: int | None
    centre: list[CentreOut]
    gaps: list[str]
    steps: list[StepOut]


class PlanIn(Schema):
    strategy: str = Field("", max_length=10000)
    objectives: str = Field("", max_length=10000)
    owner_id: RecordId | None = None


class CentreIn(Schema):
    contact_id: RecordId
    role: BuyingRole = BuyingRole.UNKNOWN
    attitude: Attitude = Attitude.UNKNOWN
    note: str = Field("", max_length=2000)


class StepIn(Schema):
    text: str = Field(min_length=1, max_length=300)
    owner_id: RecordId | None = None
    due_on: date | None = None


def _plan(view: PlanView) -> dict[str, Any]:
    plan = view.plan
    return {
        "account_id": view.account.pk,
        "strategy": plan.strategy if plan else "",
        "objectives": plan.objectives if plan else "",
        "owner_id": plan.owner_id if plan else None,
        "centre": [
            {
                "id": r.entry.pk,
                "contact_id": r.entry.contact_id,
                "contact_name": str(r.entry.contact),
                "role": r.entry.role,
                "attitude": r.entry.attitude,
                "note": r.entry.note,
                "known": [
                    {
                        "relationship_id": k.pk,
                        "owner_id": k.owner_id,
                        "owner_name": k.owner_name,
                        "shown_strength": k.shown_strength,
                    }
                    for k in r.known
                ],
            }
            for r in view.centre
        ],
        "gaps": view.gaps,
        "steps": [
            {"id": s.pk, "text": s.text, "owner_id": s.owner_id, "due_on": s.due_on, "done": s.done}
            for s in view.steps
        ],
    }


def _staff_user(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        message = _("No such user.")
        raise DomainError(message, code="invalid", fields={"owner_id": message})
    return user


@router.get("/network/accounts/{account_id}/plan", response={200: PlanOut, **ERRORS})
def get_plan(request: HttpRequest, account_id: RecordId) -> dict[str, Any]:
    """The account plan, who knows each person as the token's user may see it, and the gaps."""
    user = _staff(request)
    account = selectors.account_for_user(user, account_id)
    return _plan(plan_view(user=user, account=account))


@router.put("/network/accounts/{account_id}/plan", response={200: PlanOut, **ERRORS})
def update_plan(request: HttpRequest, account_id: RecordId, payload: PlanIn) -> dict[str, Any]:
    user = _staff(request)
    account = selectors.account_for_user(user, account_id)
    plan = plan_svc.account_plan_ensure(account=account, actor=user)
    plan_svc.account_plan_update(
        plan=plan,
        actor=user,
        strategy=payload.strategy,
        objectives=payload.objectives,
        owner=_staff_user(payload.owner_id),
    )
    return _plan(plan_view(user=user, account=account))


@router.post("/network/accounts/{account_id}/plan/centre", response={200: PlanOut, **ERRORS})
def set_centre(request: HttpRequest, account_id: RecordId, payload: CentreIn) -> dict[str, Any]:
    """Put a person of the account in its buying centre (again: updates their entry)."""
    user = _staff(request)
    account = selectors.account_for_user(user, account_id)
    person = selectors.contact_for_user(user, payload.contact_id)
    plan = plan_svc.account_plan_ensure(account=account, actor=user)
    plan_svc.buying_centre_set(
        plan=plan,
        actor=user,
        contact=person,
        role=payload.role,
        attitude=payload.attitude,
        note=payload.note,
    )
    return _plan(plan_view(user=user, account=account))


@router.post("/network/accounts/{account_id}/plan/steps", response={201: PlanOut, **ERRORS})
def add_step(request: HttpRequest, account_id: RecordId, payload: StepIn) -> Status:
    user = _staff(request)
    account = selectors.account_for_user(user, account_id)
    plan = plan_svc.account_plan_ensure(account=account, actor=user)
    plan_svc.plan_step_add(
        plan=plan,
        actor=user,
        text=payload.text,
        owner=_staff_user(payload.owner_id),
        due_on=payload.due_on,
    )
    return Status(201, _plan(plan_view(user=user, account=account)))
