"""Conflict-of-interest declarations: partners declare, managers review."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.partners.choices import ConflictStatus
from relais.partners.models import ConflictDeclaration, Partner


def declaration_submit(
    *, partner: Partner, user: Any, has_conflict: bool, description: str
) -> ConflictDeclaration:
    if has_conflict and not description.strip():
        raise DomainError(
            _("Describe the conflict of interest you declare."), code="description_required",
            fields={"description": _("A description is required.")},
        )  # fmt: skip
    declaration = ConflictDeclaration.objects.create(
        partner=partner, declared_by=user, has_conflict=has_conflict,
        description=description.strip(),
    )  # fmt: skip
    audit_record(
        subject=partner, action="declared", actor=user, target=str(_("conflict of interest")),
        changes={"has_conflict": [None, has_conflict]},
    )  # fmt: skip
    return declaration


def declaration_review(
    *, declaration: ConflictDeclaration, status: str, note: str, actor: Any
) -> ConflictDeclaration:
    """Accept, accept with a mitigation note, or refuse; a declaration is reviewed once."""
    outcome = ConflictStatus(status)
    if outcome == ConflictStatus.PENDING:
        raise DomainError(_("Choose an outcome."), code="outcome_required")
    if outcome in (ConflictStatus.MITIGATED, ConflictStatus.REFUSED) and not note.strip():
        raise DomainError(
            _("Explain the mitigation or the refusal."), code="note_required",
            fields={"note": _("A note is required.")},
        )  # fmt: skip
    with transaction.atomic():
        locked = ConflictDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != ConflictStatus.PENDING:
            raise TransitionError(_("This declaration was already reviewed."), code="reviewed")
        locked.status, locked.review_note = outcome, note.strip()
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.save()
        audit_record(
            subject=locked.partner, action="reviewed", actor=actor,
            target=str(_("conflict of interest")),
            changes={"status": [ConflictStatus.PENDING.value, outcome.value]}, reason=note.strip(),
        )  # fmt: skip
    return locked
