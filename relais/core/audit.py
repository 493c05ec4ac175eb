"""Writing and reading the audit log. Only ``audit_record`` writes; nothing updates an entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from relais.core.models import AuditEntry

if TYPE_CHECKING:
    # The kernel may not import the accounts app: Django's base classes stand for its User.
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# Never copy these into the log in clear: the log is readable by every manager.
MASKED_FIELDS = frozenset({"iban", "password", "totp_secret", "token_hash"})


def _plain(value: Any) -> Any:
    if isinstance(value, (Decimal, date, datetime)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def mask(field: str, value: Any) -> Any:
    if field in MASKED_FIELDS and value:
        text = str(value)
        return f"…{text[-4:]}"
    return _plain(value)


def snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f"{f}_id" if _is_fk(obj, f) else f) for f in fields}


def _is_fk(obj: models.Model, field: str) -> bool:
    return isinstance(obj._meta.get_field(field), models.ForeignKey)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields that changed, sensitive values masked."""
    return {
        f: [mask(f, before.get(f)), mask(f, after.get(f))]
        for f in after
        if before.get(f) != after.get(f)
    }


def acting_user[U: AbstractBaseUser](actor: U | AnonymousUser | None) -> U | None:
    """The user behind an action, or None for the system (tasks, rules, anonymous visitors)."""
    return actor if actor is not None and actor.is_authenticated else None


def audit_record(
    *,
    subject: models.Model,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    target: str = "",
    changes: dict[str, list[Any]] | None = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        action=action,
        actor=acting_user(actor),
        target=target[:200],
        changes=changes or {},
        reason=reason,
    )


def audits_record(
    *,
    subjects: Sequence[models.Model],
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    changes: dict[str, list[Any]] | None = None,
    reason: str = "",
) -> None:
    """One entry per subject, written in one INSERT (bulk approvals of thousands of lines)."""
    if not subjects:
        return
    kind = ContentType.objects.get_for_model(subjects[0])
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                subject_type=kind,
                subject_id=s.pk,
                action=action,
                actor=acting_user(actor),
                changes=changes or {},
                reason=reason,
            )
            for s in subjects
        ],
        batch_size=1000,
    )


def audit_trail(subject: models.Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).select_related("actor")
