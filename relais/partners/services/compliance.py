"""Conflict-of-interest declarations: partners declare, managers review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.core.money import cents
from relais.core.textcheck import max_chars, refuse_bad_text
from relais.partners.choices import ConflictStatus, DisputeStatus
from relais.partners.models import AuditItem, ComplianceAudit, ConflictDeclaration, Dispute, Partner


def declaration_submit(
    *, partner: Partner, user: User, has_conflict: bool, description: str
) -> ConflictDeclaration:
    refuse_bad_text(ConflictDeclaration, {"description": description})
    if has_conflict and not description.strip():
        raise DomainError(
            _("Describe the conflict of interest you declare."),
            code="description_required",
            fields={"description": _("A description is required.")},
        )
    declaration = ConflictDeclaration.objects.create(
        partner=partner,
        declared_by=user,
        has_conflict=has_conflict,
        description=description.strip(),
    )
    audit_record(
        subject=partner,
        action="declared",
        actor=user,
        target=str(_("conflict of interest")),
        changes={"has_conflict": [None, has_conflict]},
    )
    return declaration


def declaration_review(
    *, declaration: ConflictDeclaration, status: str, note: str, actor: User | None
) -> ConflictDeclaration:
    """Accept, accept with a mitigation note, or refuse; a declaration is reviewed once."""
    limit = max_chars(ConflictDeclaration, "review_note")
    refuse_bad_text(ConflictDeclaration, {"note": note}, limits={"note": limit})
    outcome = ConflictStatus(status)
    if outcome == ConflictStatus.PENDING:
        raise DomainError(_("Choose an outcome."), code="outcome_required")
    if outcome in (ConflictStatus.MITIGATED, ConflictStatus.REFUSED) and not note.strip():
        raise DomainError(
            _("Explain the mitigation or the refusal."),
            code="note_required",
            fields={"note": _("A note is required.")},
        )
    with transaction.atomic():
        locked = ConflictDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != ConflictStatus.PENDING:
            raise TransitionError(_("This declaration was already reviewed."), code="reviewed")
        locked.status, locked.review_note = outcome, note.strip()
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.save()
        audit_record(
            subject=locked.partner,
            action="reviewed",
            actor=actor,
            target=str(_("conflict of interest")),
            changes={"status": [ConflictStatus.PENDING.value, outcome.value]},
            reason=note.strip(),
        )
    return locked


DEFAULT_CHECKLIST = (
    "Contrat signé et à jour",
    "Attestation de vigilance URSSAF à jour (contrats ≥ 5 000 € HT)",
    "Déclaration de conflits d'intérêts de l'année",
    "Information RGPD des prospects transmis",
    "Aucune pratique commerciale trompeuse signalée",
)
DISPUTE_MOVES = {
    DisputeStatus.OPEN: {
        DisputeStatus.NEGOTIATING,
        DisputeStatus.RESOLVED,
        DisputeStatus.ABANDONED,
    },
    DisputeStatus.NEGOTIATING: {DisputeStatus.RESOLVED, DisputeStatus.ABANDONED},
    DisputeStatus.RESOLVED: set(),
    DisputeStatus.ABANDONED: set(),
}


def audit_schedule(
    *,
    partner: Partner,
    title: str,
    due_date: date,
    checks: list[str],
    recurrence_months: int | None,
    actor: User | None,
) -> ComplianceAudit:
    refuse_bad_text(ComplianceAudit, {"title": title})
    refuse_bad_text(AuditItem, {"checks": "".join(checks)})  # characters: a line is cut to size
    checks = [c.strip() for c in checks if c.strip()] or list(DEFAULT_CHECKLIST)
    with transaction.atomic():
        audit = ComplianceAudit.objects.create(
            partner=partner,
            title=title.strip() or _("Compliance audit"),
            due_date=due_date,
            recurrence_months=recurrence_months,
        )
        AuditItem.objects.bulk_create(AuditItem(audit=audit, label=c[:200]) for c in checks)
        audit_record(
            subject=partner,
            action="audit_scheduled",
            actor=actor,
            target=audit.title,
            changes={"due_date": [None, str(due_date)]},
        )
    return audit


def audit_complete(
    *, audit: ComplianceAudit, results: dict[int, dict[str, Any]], summary: str, actor: User | None
) -> ComplianceAudit | None:
    """Record each check; a failed check needs a corrective action with a due date.
    Returns the next audit when this one repeats."""
    refuse_bad_text(ComplianceAudit, {"summary": summary})
    items = {i.pk: i for i in audit.items.all()}
    errors = {}
    for item_id, item in items.items():
        result = results.get(item_id, {})
        if result.get("compliant") is None:
            errors[f"compliant_{item_id}"] = _("%(check)s: say whether it is compliant.") % {
                "check": item.label
            }
        elif result["compliant"] is False and not (
            result.get("corrective_action", "").strip() and result.get("action_due")
        ):
            errors[f"corrective_action_{item_id}"] = _(
                "%(check)s: a failed check needs a corrective action and its due date."
            ) % {"check": item.label}
    if errors:
        raise DomainError(
            _("The checklist is not complete."), code="checklist_incomplete", fields=errors
        )
    with transaction.atomic():
        locked = ComplianceAudit.objects.select_for_update().get(pk=audit.pk)
        if locked.completed_at:
            raise TransitionError(_("This audit was already completed."), code="completed")
        for item_id, item in items.items():
            result = results[item_id]
            item.compliant = result["compliant"]
            item.finding = result.get("finding", "").strip()
            item.corrective_action = result.get("corrective_action", "").strip()
            item.action_due = result.get("action_due")
            item.save()
        locked.completed_at, locked.completed_by, locked.summary = (
            timezone.now(),
            actor,
            summary.strip(),
        )
        locked.save()
        failed = sum(1 for i in items.values() if i.compliant is False)
        audit_record(
            subject=audit.partner,
            action="audit_completed",
            actor=actor,
            target=audit.title,
            changes={"failed_checks": [None, failed]},
            reason=summary.strip(),
        )
        if not locked.recurrence_months:
            return None
        return audit_schedule(
            partner=audit.partner,
            title=audit.title,
            due_date=locked.due_date + relativedelta(months=locked.recurrence_months),
            checks=[i.label for i in items.values()],
            recurrence_months=locked.recurrence_months,
            actor=actor,
        )


def dispute_open(
    *,
    partner: Partner,
    subject: str,
    parties: str,
    amount_at_stake: Decimal | None,
    deadline: date | None,
    actor: User,
) -> Dispute:
    refuse_bad_text(Dispute, {"subject": subject, "parties": parties})
    if not subject.strip():
        raise DomainError(
            _("Give the dispute a subject."),
            code="subject_required",
            fields={"subject": _("Required.")},
        )
    if amount_at_stake is not None and amount_at_stake < 0:
        raise DomainError(
            _("An amount at stake cannot be negative."),
            code="amount",
            fields={"amount_at_stake": _("Must be 0 or more.")},
        )
    dispute = Dispute.objects.create(
        partner=partner,
        subject=subject.strip(),
        parties=parties.strip(),
        amount_at_stake=cents(amount_at_stake) if amount_at_stake is not None else None,
        deadline=deadline,
        opened_by=actor,
    )
    audit_record(
        subject=partner,
        action="dispute_opened",
        actor=actor,
        target=dispute.subject,
        changes={"amount_at_stake": [None, str(dispute.amount_at_stake or "")]},
    )
    return dispute


def dispute_move(*, dispute: Dispute, to: str, resolution: str, actor: User | None) -> Dispute:
    refuse_bad_text(Dispute, {"resolution": resolution})
    target = DisputeStatus(to)
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        current = DisputeStatus(locked.status)
        if target not in DISPUTE_MOVES[current]:
            raise TransitionError(
                _("A dispute cannot go from %(current)s to %(target)s.")
                % {"current": current.label, "target": target.label},
                code="illegal_transition",
            )
        closing = target in (DisputeStatus.RESOLVED, DisputeStatus.ABANDONED)
        if closing and not resolution.strip():
            raise DomainError(
                _("Write how the dispute ended."),
                code="resolution_required",
                fields={"resolution": _("Required.")},
            )
        locked.status, locked.resolution = target, resolution.strip() or locked.resolution
        locked.closed_at = timezone.now() if closing else None
        locked.save()
        audit_record(
            subject=locked.partner,
            action="dispute",
            actor=actor,
            target=locked.subject,
            changes={"status": [current.value, target.value]},
            reason=resolution.strip(),
        )
    return locked
