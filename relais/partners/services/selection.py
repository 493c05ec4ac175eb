"""Scoring candidates and deciding on them; an accepted candidate is invited to the portal."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.accounts.services import magic_link_issue
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.textcheck import max_chars, refuse_bad_text
from relais.partners.choices import Decision, PartnerStatus
from relais.partners.models import (
    CriterionScore,
    Partner,
    PartnerMember,
    Scorecard,
    SelectionCriterion,
)


def scorecard_score(
    *, partner: Partner, scores: Mapping[int, tuple[int, str]], actor: User | None
) -> Scorecard:
    """Record a 0–5 score and its evidence for each criterion (criterion id → (score, evidence))."""
    for criterion_id, (_score, evidence) in scores.items():
        limit = {f"evidence_{criterion_id}": max_chars(CriterionScore, "evidence")}
        refuse_bad_text(CriterionScore, {f"evidence_{criterion_id}": evidence}, limits=limit)
    criteria = {c.pk: c for c in SelectionCriterion.objects.filter(active=True)}
    errors = {}
    for criterion_id, (score, _evidence) in scores.items():
        if criterion_id not in criteria:
            errors[f"criterion_{criterion_id}"] = _("Unknown criterion.")
        elif not 0 <= int(score) <= 5:
            errors[f"criterion_{criterion_id}"] = _(
                "%(name)s: a score goes from 0 to 5, not %(score)s."
            ) % {"name": criteria[criterion_id].name, "score": score}
    if errors:
        raise DomainError(_("Some scores are not valid."), code="invalid_scores", fields=errors)
    with transaction.atomic():
        scorecard, _created = Scorecard.objects.get_or_create(partner=partner)
        for criterion_id, (score, evidence) in scores.items():
            CriterionScore.objects.update_or_create(
                scorecard=scorecard,
                criterion_id=criterion_id,
                defaults={"score": int(score), "evidence": evidence.strip()},
            )
        audit_record(
            subject=partner,
            action="scored",
            actor=actor,
            target=str(_("scorecard")),
            changes={"total": [None, str(scorecard.total())]},
        )
    return scorecard


def scorecard_decide(
    *,
    partner: Partner,
    decision: str,
    note: str,
    actor: User | None,
    build_login_url: Callable[[str], str],
) -> Scorecard:
    """Decide on a candidate. Accepting invites it (a partner user, a login link);
    rejecting ends it."""
    from relais.partners.services.status import partner_transition

    limit = max_chars(Scorecard, "decision_note")
    refuse_bad_text(Scorecard, {"note": note}, limits={"note": limit})
    decision = Decision(decision)
    if partner.status != PartnerStatus.CANDIDATE:
        raise DomainError(_("Only a candidate can be decided on."), code="not_a_candidate")
    if decision == Decision.REJECT and not note.strip():
        raise DomainError(
            _("Say why the candidate is rejected."),
            code="reason_required",
            fields={"note": _("A reason is required.")},
        )
    with transaction.atomic():
        scorecard, _created = Scorecard.objects.select_for_update().get_or_create(partner=partner)
        if decision != Decision.PENDING and not scorecard.scores.exists():
            raise DomainError(_("Score the candidate before deciding."), code="not_scored")
        before = scorecard.decision
        scorecard.decision, scorecard.decision_note = decision, note.strip()
        scorecard.decided_by, scorecard.decided_at = actor, timezone.now()
        scorecard.save()
        audit_record(
            subject=partner,
            action="decision",
            actor=actor,
            target=str(_("selection")),
            changes={"decision": [before, decision.value]},
            reason=note.strip(),
        )
        if decision == Decision.REJECT:
            partner_transition(partner=partner, to=PartnerStatus.ENDED, actor=actor, reason=note)
        elif decision == Decision.ACCEPT:
            user = _partner_user(partner)
            magic_link_issue(user=user, build_url=build_login_url, purpose="invitation")
    return scorecard


def _partner_user(partner: Partner) -> User:
    """The partner's first user, created from its e-mail when it has none yet."""
    member = partner.members.select_related("user").first()
    if member is not None:
        return member.user
    role = partner.user_role
    user = User.objects.filter(email=partner.email).first()
    if user is None:
        user = User.objects.create_user(
            partner.email,
            None,
            role=role,
            first_name=partner.first_name,
            last_name=partner.last_name,
        )
    elif user.role != role or hasattr(user, "partner_membership"):
        raise DomainError(
            _("The e-mail %(email)s already belongs to another account.")
            % {"email": partner.email},
            code="email_taken",
        )
    PartnerMember.objects.create(user=user, partner=partner)
    return user
