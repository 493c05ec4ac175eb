"""Special operations (VIP invitations to a trade fair, as in the seed): a manager opens one;
each salesperson chooses which of their own contacts to put forward — nothing is taken from
them —; the invitations go out; acceptance, attendance and outcomes are tracked and credited to
whoever put the contact forward. And the sharing switch, team by team (a pilot first)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.leads.choices import Channel, LeadStatus
from relais.leads.lifecycle import lead_assign
from relais.leads.models import Lead
from relais.leads.services import lead_submit, lead_transition
from relais.network.choices import (
    Attendance,
    InvitationStatus,
    NominationOutcome,
    OperationStatus,
)
from relais.network.models import NetworkTeam, Operation, OperationNomination, Relationship

OS = OperationStatus


def _invalid(errors: dict[str, str]) -> DomainError:
    return DomainError(" ".join(errors.values()), code="invalid", fields=errors)


def _manager(actor: User) -> None:
    if not actor.can_manage:
        raise DomainError(_("Only a manager runs special operations."), code="forbidden")


def operation_open(
    *,
    actor: User,
    name: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
    nominations_close_on: date | None = None,
) -> Operation:
    """A manager opens an operation to nominations."""
    _manager(actor)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the operation a name.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The last day comes before the first.")
    if nominations_close_on and nominations_close_on > ends_on:
        errors["nominations_close_on"] = _("Nominations close by the last day at the latest.")
    if errors:
        raise _invalid(errors)
    operation = Operation.objects.create(
        name=name[:150],
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        nominations_close_on=nominations_close_on,
        status=OS.OPEN,
        created_by=actor,
    )
    audit_record(subject=operation, action="opened", actor=actor)
    return operation


def _accepting(operation: Operation) -> None:
    closes = operation.nominations_close_on
    if operation.status != OS.OPEN or (closes and closes < timezone.localdate()):
        raise DomainError(
            _("“%(name)s” no longer takes nominations.") % {"name": operation.name},
            code="closed",
        )


def operation_nominate(
    *, operation: Operation, actor: User, relationship: Relationship, note: str = ""
) -> OperationNomination:
    """Put forward one of one's own contacts: only a relationship of one's own (a colleague's
    is never taken), of a person who has not objected, once per operation."""
    if relationship.owner_id != actor.pk:
        raise DomainError(_("No such relationship."), code="not_found")
    contact = relationship.contact
    if contact.objected_at is not None or contact.anonymised_at is not None:
        raise _invalid({"relationship": _("This person objected: they cannot be invited.")})
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        _accepting(locked)
        existing = OperationNomination.objects.filter(operation=locked, contact=contact).first()
        if existing is not None:
            if existing.nominated_by_id == actor.pk:
                return existing
            raise _invalid({"relationship": _("A colleague already put this person forward.")})
        try:
            with transaction.atomic():
                return OperationNomination.objects.create(
                    operation=locked,
                    contact=contact,
                    relationship=relationship,
                    nominated_by=actor,
                    note=note.strip()[:2000],
                )
        except IntegrityError:  # put forward at the same instant: the unique key decided
            raise _invalid(
                {"relationship": _("A colleague already put this person forward.")}
            ) from None


def nomination_withdraw(*, nomination: OperationNomination, actor: User) -> None:
    """The salesperson takes their contact back, as long as no invitation went out."""
    if nomination.nominated_by_id != actor.pk:
        raise DomainError(_("Only who put them forward withdraws them."), code="forbidden")
    if nomination.invitation != InvitationStatus.PROPOSED:
        raise DomainError(_("The invitation went out already."), code="sent")
    nomination.delete()


def operation_invitations_send(*, operation: Operation, actor: User) -> int:
    """Every contact put forward is invited (e-mailed when they have an address, by a task
    after commit); the operation stops taking nominations. Safe to repeat: sent ones stay."""
    _manager(actor)
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        if locked.status not in (OS.OPEN, OS.INVITING):
            raise TransitionError(
                _("This operation is %(status)s.") % {"status": OS(locked.status).label},
                code="illegal_transition",
            )
        ids = list(
            locked.nominations.filter(invitation=InvitationStatus.PROPOSED).values_list(
                "pk", flat=True
            )
        )
        OperationNomination.objects.filter(pk__in=ids).update(
            invitation=InvitationStatus.SENT, invited_at=timezone.now()
        )
        locked.status = OS.INVITING
        locked.save(update_fields=["status", "updated_at"])
        audit_record(subject=locked, action="invitations_sent", actor=actor)
        transaction.on_commit(lambda: [nomination_invite.enqueue(pk) for pk in ids])
    return len(ids)


def nomination_track(
    *,
    nomination: OperationNomination,
    actor: User,
    invitation: str,
    attendance: str,
    outcome: str,
    note: str = "",
    lead_data: dict[str, Any] | None = None,
) -> OperationNomination:
    """The answer to the invitation, the attendance and the outcome, recorded by who put the
    contact forward or a manager; credited to who put them forward. An opportunity (or a deal)
    recorded with ``lead_data`` (at least the postcode) opens a lead worked by who put them
    forward, once: ``nomination.lead``. Its bad fields are named and nothing is saved."""
    if nomination.nominated_by_id != actor.pk and not actor.can_manage:
        raise DomainError(_("Only who put them forward, or a manager."), code="forbidden")
    errors: dict[str, str] = {}
    if invitation not in InvitationStatus.values:
        errors["invitation"] = _("Invitation: choose one of the list.")
    elif nomination.invitation == InvitationStatus.PROPOSED != invitation:
        errors["invitation"] = _("The invitation has not gone out yet.")
    if attendance not in Attendance.values:
        errors["attendance"] = _("Attendance: choose one of the list.")
    if outcome not in NominationOutcome.values:
        errors["outcome"] = _("Outcome: choose one of the list.")
    if attendance == Attendance.ATTENDED and invitation == InvitationStatus.DECLINED:
        errors["attendance"] = _("They declined the invitation: they cannot have attended.")
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        nomination = (
            OperationNomination.objects.select_for_update()
            .select_related("contact__account", "nominated_by")
            .get(pk=nomination.pk)
        )
        opens = outcome in (NominationOutcome.OPPORTUNITY, NominationOutcome.DEAL)
        if opens and lead_data is not None and nomination.lead_id is None:
            try:
                nomination.lead = _nomination_lead(nomination, actor, lead_data)
            except ValidationError as exc:
                raise _invalid({k: " ".join(v) for k, v in exc.message_dict.items()}) from None
        nomination.invitation, nomination.attendance, nomination.outcome = (
            invitation,
            attendance,
            outcome,
        )
        nomination.note = note.strip()[:2000] or nomination.note
        nomination.save(
            update_fields=["invitation", "attendance", "outcome", "note", "lead", "updated_at"]
        )
    return nomination


def _nomination_lead(nomination: OperationNomination, actor: User, data: dict[str, Any]) -> Lead:
    """The lead an operation's opportunity opens, through the leads app's services: the
    person's details (what was typed wins), brought and worked by who put them forward."""
    contact, account = nomination.contact, nomination.contact.account
    prospect = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_name": account.name,
        "email": contact.email,
        "phone": contact.phone,
        "siren": account.siren,
        **{k: v for k, v in data.items() if v not in (None, "")},
    }
    owner = nomination.nominated_by
    lead = lead_submit(data=prospect, channel=Channel.STAFF, salesperson=owner, actor=actor)
    if lead.review_reason:  # a duplicate or a conflict: a manager decides first
        return lead
    lead = lead_transition(lead=lead, to=LeadStatus.QUALIFIED, actor=actor)
    note = _("Operation %(name)s") % {"name": nomination.operation.name}
    return lead_assign(
        lead=lead, actor=actor, reseller=None, salesperson=owner, note=note, at=timezone.now()
    )


def operation_close(*, operation: Operation, actor: User) -> Operation:
    _manager(actor)
    if operation.status in (OS.CLOSED, OS.CANCELLED):
        raise TransitionError(_("This operation is closed already."), code="illegal_transition")
    operation.status = OS.CLOSED
    operation.save(update_fields=["status", "updated_at"])
    audit_record(subject=operation, action="closed", actor=actor)
    return operation


@task()
def nomination_invite(nomination_id: int) -> bool:
    """The invitation e-mail to the person put forward, naming the colleague who knows them."""
    nomination = (
        OperationNomination.objects.select_related("operation", "contact", "nominated_by")
        .filter(pk=nomination_id, invitation=InvitationStatus.SENT)
        .first()
    )
    if nomination is None or not nomination.contact.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "nomination": nomination,
            "operation": nomination.operation,
            "contact": nomination.contact,
            "colleague": nomination.nominated_by,
            "company": settings.RELAIS_COMPANY_NAME,
        }
        subject = _("Invitation: %(name)s") % {"name": nomination.operation.name}
        body = render_to_string("network/email/operation_invitation.txt", context)
    send_mail(subject, body, None, [nomination.contact.email])
    return True


def team_sharing_set(*, team: NetworkTeam, actor: User, enabled: bool) -> NetworkTeam:
    """Switch sharing on or off for a team: off, its members' shared and on-request
    relationships stay invisible to colleagues (and they see none), until it is on again."""
    _manager(actor)
    before = team.sharing_enabled
    team.sharing_enabled = enabled
    team.save(update_fields=["sharing_enabled", "updated_at"])
    audit_record(
        subject=team, action="sharing", actor=actor, changes={"sharing": [before, enabled]}
    )
    return team


def team_create(*, actor: User, name: str, members: list[User], sharing: bool) -> NetworkTeam:
    _manager(actor)
    name = name.strip()
    if not name:
        raise _invalid({"name": _("Give the team a name.")})
    if NetworkTeam.objects.filter(name=name).exists():
        raise _invalid({"name": _("A team is called %(name)s already.") % {"name": name}})
    outsiders = [m for m in members if not m.is_staff_member]
    if outsiders:
        raise _invalid({"members": _("Only staff are members of a sales team.")})
    team = NetworkTeam.objects.create(name=name, manager=actor, sharing_enabled=sharing)
    team.members.set(members)
    return team
