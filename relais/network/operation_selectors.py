"""Reads of special operations and sales teams: what each user may see of an operation (a
manager every nomination, a salesperson their own and how many colleagues put someone forward),
the credit per salesperson, and the relationships one may still put forward."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from relais.accounts.models import User
from relais.network.choices import (
    Attendance,
    InvitationStatus,
    NominationOutcome,
    OperationStatus,
)
from relais.network.models import NetworkTeam, Operation, OperationNomination, Relationship


def operations_for_user(*, user: User) -> QuerySet[Operation]:
    if user.can_manage:
        return Operation.objects.all()
    if user.is_staff_member:
        return Operation.objects.exclude(status=OperationStatus.DRAFT)
    return Operation.objects.none()


def operation_for_user(user: User, pk: int) -> Operation:
    try:
        return operations_for_user(user=user).get(pk=pk)
    except Operation.DoesNotExist:
        raise Http404 from None


def nomination_for_user(user: User, pk: int) -> OperationNomination:
    """Who put the contact forward, or a manager; anyone else a 404."""
    qs = OperationNomination.objects.select_related("operation", "contact", "nominated_by")
    if not user.can_manage:
        qs = qs.filter(nominated_by=user)
    try:
        return qs.get(pk=pk)
    except OperationNomination.DoesNotExist:
        raise Http404 from None


@dataclass
class OperationView:
    operation: Operation
    nominations: list[OperationNomination]
    total: int
    credits: list[dict[str, Any]] = field(default_factory=list)
    eligible: list[Relationship] = field(default_factory=list)
    # The reader's invited people with no e-mail: the invitation is theirs to hand over.
    by_hand: list[OperationNomination] = field(default_factory=list)


def operation_credits(*, operation: Operation) -> list[dict[str, Any]]:
    """Per salesperson: contacts put forward, invited, accepted, attended, opportunities, deals."""
    invited = ~Q(invitation=InvitationStatus.PROPOSED)
    rows = (
        operation.nominations.values(
            "nominated_by_id", "nominated_by__first_name", "nominated_by__last_name"
        )
        .annotate(
            put_forward=Count("pk"),
            invited=Count("pk", filter=invited),
            accepted=Count("pk", filter=Q(invitation=InvitationStatus.ACCEPTED)),
            attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
            opportunities=Count(
                "pk",
                filter=Q(outcome__in=[NominationOutcome.OPPORTUNITY, NominationOutcome.DEAL]),
            ),
            deals=Count("pk", filter=Q(outcome=NominationOutcome.DEAL)),
        )
        .order_by("-deals", "-attended", "-put_forward", "nominated_by__last_name")
    )
    return [
        {
            **r,
            "name": f"{r['nominated_by__first_name']} {r['nominated_by__last_name']}".strip(),
        }
        for r in rows
    ]


def operation_view(*, user: User, operation: Operation) -> OperationView:
    all_nominations = operation.nominations.select_related("contact__account", "nominated_by")
    mine = all_nominations if user.can_manage else all_nominations.filter(nominated_by=user)
    taken = operation.nominations.values("contact_id")
    eligible = (
        Relationship.objects.filter(owner=user, contact__objected_at__isnull=True)
        .filter(contact__anonymised_at__isnull=True)
        .exclude(contact_id__in=taken)
        .select_related("contact", "account")
        .order_by("-strength", "account__name", "contact__last_name")[:200]
    )
    nominations = list(mine.order_by("contact__account__name", "contact__last_name"))
    return OperationView(
        operation=operation,
        nominations=nominations,
        by_hand=[
            n
            for n in nominations
            if n.nominated_by_id == user.pk
            and not n.contact.email
            and n.invitation != InvitationStatus.PROPOSED
        ],
        total=operation.nominations.count(),
        credits=operation_credits(operation=operation) if user.can_manage else [],
        eligible=list(eligible) if operation.status == OperationStatus.OPEN else [],
    )


def teams_for_user(*, user: User) -> QuerySet[NetworkTeam]:
    if not user.can_manage:
        return NetworkTeam.objects.none()
    return NetworkTeam.objects.prefetch_related("members").order_by("name")


def team_for_user(user: User, pk: int) -> NetworkTeam:
    try:
        return teams_for_user(user=user).get(pk=pk)
    except NetworkTeam.DoesNotExist:
        raise Http404 from None
