"""Account plans: per target account, the strategy and objectives, the buying centre (each
person's role and attitude), the next steps with owners and dates. Who in the company knows
each person is read through the network's one visibility module (``plan_selectors``)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.network.choices import Attitude, BuyingRole
from relais.network.models import Account, AccountPlan, BuyingCentreEntry, Contact, PlanStep

MAX_TEXT = 10_000


def _invalid(errors: dict[str, str]) -> DomainError:
    return DomainError(" ".join(errors.values()), code="invalid", fields=errors)


def _staff(user: User | None, errors: dict[str, str], field: str) -> None:
    if user is not None and (not user.is_active or not user.is_staff_member):
        errors[field] = _("%(name)s is not a member of staff.") % {"name": user}


def account_plan_ensure(*, account: Account, actor: User) -> AccountPlan:
    """The account's plan, made empty the first time (one per account: the unique key)."""
    plan, _created = AccountPlan.objects.get_or_create(account=account, defaults={"owner": actor})
    return plan


def account_plan_update(
    *, plan: AccountPlan, actor: User, strategy: str, objectives: str, owner: User | None
) -> AccountPlan:
    errors: dict[str, str] = {}
    for field, value in (("strategy", strategy), ("objectives", objectives)):
        if len(value) > MAX_TEXT:
            errors[field] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
    _staff(owner, errors, "owner")
    if errors:
        raise _invalid(errors)
    before = {"owner": str(plan.owner or "")}
    plan.strategy, plan.objectives, plan.owner = strategy.strip(), objectives.strip(), owner
    plan.save(update_fields=["strategy", "objectives", "owner", "updated_at"])
    audit_record(
        subject=plan,
        action="updated",
        actor=actor,
        changes={"owner": [before["owner"], str(owner or "")]},
    )
    return plan


def buying_centre_set(
    *, plan: AccountPlan, actor: User, contact: Contact, role: str, attitude: str, note: str = ""
) -> BuyingCentreEntry:
    """Put a person of the account in its buying centre, or change their role and attitude
    (one entry per person: saving again updates it)."""
    errors: dict[str, str] = {}
    if contact.account_id != plan.account_id:
        errors["contact"] = _("%(name)s does not work at %(account)s.") % {
            "name": contact,
            "account": plan.account,
        }
    if contact.anonymised_at is not None:
        errors["contact"] = _("This person's data were erased.")
    if role not in BuyingRole.values:
        errors["role"] = _("Role: choose one of the list.")
    if attitude not in Attitude.values:
        errors["attitude"] = _("Attitude: choose one of the list.")
    if len(note) > 2000:
        errors["note"] = _("At most %(n)s characters.") % {"n": 2000}
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        entry, _created = BuyingCentreEntry.objects.update_or_create(
            plan=plan,
            contact=contact,
            defaults={"role": role, "attitude": attitude, "note": note.strip()},
        )
        AccountPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())
    return entry


def buying_centre_remove(*, entry: BuyingCentreEntry, actor: User) -> None:
    entry.delete()


def plan_step_add(
    *, plan: AccountPlan, actor: User, text: str, owner: User | None, due_on: date | None
) -> PlanStep:
    """A next step, with who does it and by when."""
    errors: dict[str, str] = {}
    text = text.strip()
    if not text:
        errors["text"] = _("Say what the step is.")
    elif len(text) > 300:
        errors["text"] = _("At most %(n)s characters.") % {"n": 300}
    _staff(owner, errors, "owner")
    if errors:
        raise _invalid(errors)
    return PlanStep.objects.create(plan=plan, text=text, owner=owner, due_on=due_on)


def plan_step_done(*, step: PlanStep, actor: User, done: bool = True) -> PlanStep:
    """Tick a step done (or undo it); the date it was done is kept."""
    step.done, step.done_at = done, timezone.now() if done else None
    step.save(update_fields=["done", "done_at"])
    return step
