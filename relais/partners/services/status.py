"""The partner lifecycle: an explicit table of moves; anything else is refused with a reason."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core import events
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.core.models import AuditEntry
from relais.core.textcheck import refuse_bad_text
from relais.partners import extensions
from relais.partners.choices import Decision, PartnerStatus
from relais.partners.events import PartnerStatusChanged
from relais.partners.models import Partner
from relais.partners.selectors import missing_documents

S = PartnerStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CANDIDATE: frozenset({S.ACTIVE, S.ENDED}),
    S.ACTIVE: frozenset({S.PAUSED, S.ENDED}),
    S.PAUSED: frozenset({S.ACTIVE, S.ENDED}),
    S.ENDED: frozenset({S.CANDIDATE}),  # a former partner may apply again
}
REASON_REQUIRED = frozenset({S.PAUSED, S.ENDED})


def allowed_moves(partner: Partner) -> list[PartnerStatus]:
    return [PartnerStatus(s) for s in PartnerStatus.values if s in TRANSITIONS[partner.status]]


def partner_transition(
    *, partner: Partner, to: str, actor: User | None, reason: str = ""
) -> Partner:
    """Move a partner to ``to``. The row lock serialises two managers acting at once."""
    refuse_bad_text(AuditEntry, {"reason": reason})  # the reason is kept in the audit trail
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        current = PartnerStatus(locked.status)
        target = PartnerStatus(to)
        if target not in TRANSITIONS[current]:
            raise TransitionError(
                _("A partner cannot go from %(current)s to %(target)s; possible: %(allowed)s.")
                % {
                    "current": current.label,
                    "target": target.label,
                    "allowed": ", ".join(str(s.label) for s in allowed_moves(locked)) or "—",
                },
                code="illegal_transition",
            )
        if target in REASON_REQUIRED and not reason.strip():
            raise DomainError(
                _("Give a reason to move a partner to %(target)s.") % {"target": target.label},
                code="reason_required",
                fields={"reason": _("A reason is required.")},
            )
        if target == S.ACTIVE:
            missing = missing_documents(locked)
            if missing:
                raise TransitionError(
                    _("Activation refused: %(partner)s has not signed %(documents)s.")
                    % {
                        "partner": locked.display_name,
                        "documents": ", ".join(str(t) for t in missing),
                    },
                    code="documents_missing",
                )
            blockers = extensions.activation_blockers(locked)
            if blockers:
                raise TransitionError(
                    _("Activation refused: %(reasons)s") % {"reasons": " ".join(blockers)},
                    code="activation_blocked",
                )
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            subject=locked,
            action="status",
            actor=actor,
            target=str(_("status")),
            changes={"status": [current.value, target.value]},
            reason=reason.strip(),
        )
        events.publish(PartnerStatusChanged(locked.pk, current.value, target.value))
    partner.status = locked.status
    return partner


def partner_activate_if_ready(*, partner: Partner, actor: User | None, reason: str = "") -> bool:
    """An accepted candidate becomes active once nothing stops it any more: its last required
    signature, or (through the activation checks) its last required training module. Safe to
    call at any time; True when it was activated."""
    partner.refresh_from_db()
    scorecard = getattr(partner, "scorecard", None)
    accepted = scorecard is not None and scorecard.decision == Decision.ACCEPT
    if partner.status != PartnerStatus.CANDIDATE or not accepted or missing_documents(partner):
        return False
    if extensions.activation_blockers(partner):
        return False
    try:
        partner_transition(
            partner=partner,
            to=PartnerStatus.ACTIVE,
            actor=actor,
            reason=reason or _("Accepted, every required document signed and training done."),
        )
    except TransitionError:  # activated (or ended) by someone else meanwhile
        return False
    return True
