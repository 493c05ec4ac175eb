"""Every write on challenges: moving one through its lifecycle, enrolling its audience with
proposed targets, and a manager's change of a target (with a reason, audited)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.challenges import targets
from relais.challenges.choices import TRANSITIONS, ChallengeStatus, ResellerParticipants
from relais.challenges.events import ChallengeClosed, ChallengeLaunched
from relais.challenges.models import Challenge, Participant, TargetChange
from relais.challenges.selectors import challenge_audience
from relais.core import events
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner, PartnerMember

if TYPE_CHECKING:
    from relais.accounts.models import User

# Pseudonyms: an animal and a number, stable for the challenge (the participant's position).
ANIMALS = (
    "Lynx", "Faucon", "Loutre", "Renard", "Hibou", "Castor", "Chamois", "Héron", "Blaireau",
    "Marmotte", "Ours", "Loup", "Cerf", "Aigle", "Dauphin", "Bouquetin",
)  # fmt: skip


def _staff_of(challenge: Challenge, partners: list[Partner]) -> dict[int, list[PartnerMember]]:
    """Each reseller's active staff, when the challenge enrols resellers per staff member (one
    query); empty otherwise."""
    if challenge.reseller_participants != ResellerParticipants.STAFF:
        return {}
    resellers = [p.pk for p in partners if p.kind == PartnerKind.RESELLER]
    staff: dict[int, list[PartnerMember]] = {}
    members = PartnerMember.objects.filter(partner_id__in=resellers, user__is_active=True)
    for m in members.order_by("pk").only("pk", "partner_id"):
        staff.setdefault(m.partner_id, []).append(m)
    return staff


def participants_propose(*, challenge: Challenge, actor: User | None) -> int:
    """Enrol the audience with proposed targets, replacing any earlier proposal: allowed until
    the challenge runs (progress starts then), so a manager may change the audience and propose
    again. Per staff member, each active user of a reseller is a participant of their own, with
    the reseller's proposed target divided among them (``targets.per_member``); a reseller with
    no active user takes part as its team. Returns the number of participants."""
    if challenge.status not in (ChallengeStatus.DRAFT, ChallengeStatus.SCHEDULED):
        raise TransitionError(
            _("Targets are proposed before the challenge runs."), code="challenge_started"
        )
    partners = list(
        challenge_audience(challenge=challenge)
        .order_by("pk")
        .only("pk", "kind", "departement", "created_at")
    )
    proposals = targets.propose(challenge, partners)
    staff = _staff_of(challenge, partners)
    rows: list[Participant] = []
    for p in partners:
        members: list[PartnerMember | None] = list(staff.get(p.pk, [])) or [None]
        proposal = proposals[p.pk]
        if members[0] is not None:
            proposal = targets.per_member(proposal, len(members), challenge.is_money)
        for member in members:
            n = len(rows)
            rows.append(
                Participant(
                    challenge=challenge,
                    partner_id=p.pk,
                    member=member,
                    pseudonym=f"{ANIMALS[n % len(ANIMALS)]} {n + 1}",
                    target=proposal.target,
                    proposed_target=proposal.target,
                    target_inputs=proposal.inputs,
                    formula=proposal.formula,
                )
            )
    with transaction.atomic():
        challenge.participants.all().delete()
        Participant.objects.bulk_create(rows, batch_size=1000)
        audit_record(
            subject=challenge, action="targets_proposed", actor=actor, target=str(len(rows))
        )
    return len(rows)


def target_change(
    *, participant: Participant, target: Decimal | str, reason: str, actor: User | None
) -> Participant:
    """A manager sets one participant's target, saying why; the share is recomputed from the
    stored progress so the leaderboard follows at once."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Reason: say why the target changes."), fields={"reason": "required"})
    try:
        new = Decimal(str(target)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise DomainError(_("Target: give a number."), fields={"target": "invalid"}) from None
    if new <= 0:
        raise DomainError(_("Target: it must be above zero."), fields={"target": "positive"})
    if participant.challenge.status in (ChallengeStatus.ENDED, ChallengeStatus.CANCELLED):
        raise TransitionError(_("The challenge is over: its targets stay as they were."))
    with transaction.atomic():
        # Locked: a progress event landing meanwhile must see the new target for the share.
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        old = locked.target
        locked.target = new
        locked.share = share_of(progress=locked.progress, target=new)
        locked.save(update_fields=["target", "share", "updated_at"])
        TargetChange.objects.create(
            participant=locked, old=old, new=new, reason=reason, actor=actor
        )
        audit_record(
            subject=locked,
            action="target_changed",
            actor=actor,
            target=str(locked.partner_id),
            changes={"target": [str(old), str(new)]},
            reason=reason,
        )
    return locked


def share_of(*, progress: Decimal, target: Decimal) -> Decimal:
    return (progress / target).quantize(Decimal("0.000001")) if target else Decimal(0)


def challenge_move(*, challenge: Challenge, to: str, actor: User | None) -> Challenge:
    """Move a challenge to ``to`` if the lifecycle allows it (draft → scheduled → running →
    ended, cancelled from any live state); scheduling needs participants."""
    target = ChallengeStatus(to)
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        current = ChallengeStatus(locked.status)
        if target not in TRANSITIONS[current]:
            raise TransitionError(
                _("A challenge cannot go from %(from)s to %(to)s.")
                % {"from": current.label, "to": target.label},
                code="illegal_move",
            )
        if target == ChallengeStatus.SCHEDULED and not locked.participants.exists():
            raise TransitionError(
                _("Propose the targets first: the challenge has no participant."),
                code="no_participants",
            )
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            subject=locked, action="status", actor=actor, changes={"status": [current, target]}
        )
        if target == ChallengeStatus.RUNNING:
            events.publish(ChallengeLaunched(challenge_id=locked.pk))
        elif target in (ChallengeStatus.ENDED, ChallengeStatus.CANCELLED):
            events.publish(ChallengeClosed(challenge_id=locked.pk, status=target.value))
    return locked


def challenges_roll(*, now: datetime) -> str:
    """The calendar's moves, run by a recurring job: a scheduled challenge runs from its first
    day, a running one ends after its last. Each through ``challenge_move`` (locked, audited)."""
    today = timezone.localdate(now)
    started = ended = 0
    due = Challenge.objects.filter(status=ChallengeStatus.SCHEDULED, starts_on__lte=today)
    for challenge in due:
        challenge_move(challenge=challenge, to=ChallengeStatus.RUNNING, actor=None)
        started += 1
    over = Challenge.objects.filter(status=ChallengeStatus.RUNNING, ends_on__lt=today)
    for challenge in over:
        challenge_move(challenge=challenge, to=ChallengeStatus.ENDED, actor=None)
        ended += 1
    return f"{started} challenges started, {ended} ended"
