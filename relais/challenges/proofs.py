"""Qualitative objectives: a manager adds them to a challenge, a participant uploads a proof
(a picture or a PDF, checked by ``images.clean_proof``), a manager validates it or refuses it
with a reason; a refused proof may be replaced by a new upload, which waits again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.challenges import images
from relais.challenges.choices import PROOF_TRANSITIONS, ChallengeStatus, ProofStatus
from relais.challenges.models import Challenge, Objective, Participant, Proof
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError

if TYPE_CHECKING:
    from relais.accounts.models import User


def objective_add(
    *, challenge: Challenge, title: str, description: str, actor: User | None
) -> Objective:
    """A qualitative objective, added while the challenge is not over."""
    title = title.strip()
    if not title:
        raise DomainError(_("Objective: give it a title."), fields={"title": "required"})
    if challenge.status in (ChallengeStatus.ENDED, ChallengeStatus.CANCELLED):
        raise TransitionError(_("The challenge is over: no objective is added."))
    objective = Objective.objects.create(
        challenge=challenge, title=title[:160], description=description.strip()
    )
    audit_record(subject=challenge, action="objective_added", actor=actor, target=objective.title)
    return objective


def proof_upload(
    *, objective: Objective, participant: Participant, upload: UploadedFile, note: str
) -> Proof:
    """The participant's proof for the objective: a first one, or one replacing a refused
    proof. A validated or pending proof stays as it is (the manager decides on it first)."""
    if participant.challenge_id != objective.challenge_id:
        raise DomainError(_("This objective belongs to another challenge."), code="not_yours")
    if participant.challenge.status != ChallengeStatus.RUNNING:
        raise TransitionError(_("Proofs are uploaded while the challenge runs."))
    try:
        content, content_type = images.clean_proof(upload, field=str(_("Proof")))
    except ValidationError as e:
        raise DomainError(" ".join(e.messages), fields={"file": "invalid"}) from None
    with transaction.atomic():
        # Locked: two uploads at once make one row (the unique pair) and one decision to take.
        proof = (
            Proof.objects.select_for_update()
            .filter(objective=objective, participant=participant)
            .first()
        )
        if proof is not None and ProofStatus.PENDING not in PROOF_TRANSITIONS[proof.status]:
            raise TransitionError(
                _("Your proof is %(status)s: it is not replaced.")
                % {"status": ProofStatus(proof.status).label.lower()},
                code="proof_decided",
            )
        proof = proof or Proof(objective=objective, participant=participant)
        if proof.file:
            proof.file.delete(save=False)
        proof.file.save(content.name or "proof", content, save=False)
        proof.content_type = content_type
        proof.note = note.strip()[:300]
        proof.status = ProofStatus.PENDING
        proof.reason = ""
        proof.uploaded_at = timezone.now()
        proof.decided_at = None
        proof.decided_by = None
        proof.save()
    return proof


def proof_decide(*, proof: Proof, validate: bool, reason: str, actor: User | None) -> Proof:
    """A manager validates a pending proof, or refuses it saying why (the participant reads
    the reason and may upload another)."""
    reason = reason.strip()
    if not validate and not reason:
        raise DomainError(_("Reason: say why the proof is refused."), fields={"reason": "required"})
    target = ProofStatus.VALIDATED if validate else ProofStatus.REFUSED
    with transaction.atomic():
        locked = Proof.objects.select_for_update().get(pk=proof.pk)
        if target not in PROOF_TRANSITIONS[locked.status]:
            raise TransitionError(
                _("This proof is already %(status)s.")
                % {"status": ProofStatus(locked.status).label.lower()},
                code="illegal_move",
            )
        locked.status = target
        locked.reason = reason[:300]
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        audit_record(
            subject=locked,
            action="proof_" + target,
            actor=actor,
            target=str(locked.participant_id),
            reason=reason,
        )
    return locked


def objectives_met(*, participant: Participant) -> tuple[int, int]:
    """(validated, total) qualitative objectives of the participant's challenge."""
    total = Objective.objects.filter(challenge_id=participant.challenge_id).count()
    met = participant.proofs.filter(status=ProofStatus.VALIDATED).count()
    return met, total


def participant_objectives(*, participant: Participant) -> list[tuple[Objective, Proof | None]]:
    """The challenge's objectives, each with the participant's proof if any (two queries)."""
    objectives = list(Objective.objects.filter(challenge_id=participant.challenge_id))
    mine = {p.objective_id: p for p in participant.proofs.all()}
    return [(o, mine.get(o.pk)) for o in objectives]
