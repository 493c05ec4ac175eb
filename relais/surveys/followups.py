"""Detractors' follow-up: who must act sees the task (and the comment), closes it with the
outcome; an overdue task is reminded once to whoever holds it."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.surveys.models import Answer, FollowUp

log = logging.getLogger(__name__)


def follow_ups_for(user: User) -> QuerySet[FollowUp]:
    """The tasks a user sees: a manager every one (they oversee the salespeople's, and hold
    those of deals no salesperson sold); a salesperson their own. The comment of a task is
    another matter (``may_read_comment``)."""
    rows = FollowUp.objects.select_related("answer__customer", "assignee", "reseller")
    if user.can_manage:
        return rows
    return rows.filter(assignee=user)


def follow_ups_of_reseller(partner_id: int) -> QuerySet[FollowUp]:
    """The follow-ups of the deals a reseller sold: theirs to act on, in the portal."""
    rows = FollowUp.objects.select_related("answer__customer")
    return rows.filter(reseller_id=partner_id)


def may_read_comment(user: User, answer: Answer) -> bool:
    """A detractor's comment is for those who must act on it: the salesperson who holds the
    task, the managers when none does, the reseller who sold; the others' comments for any
    manager."""
    task = getattr(answer, "follow_up", None)
    if task is None:
        return user.can_manage
    if task.reseller_id is not None and user.is_partner_user:
        membership = getattr(user, "partner_membership", None)
        return membership is not None and membership.partner_id == task.reseller_id
    return task.assignee_id == user.pk or (task.assignee_id is None and user.can_manage)


def follow_up_close(*, follow_up: FollowUp, outcome: str, actor: User) -> FollowUp:
    outcome = outcome.strip()
    if not outcome:
        raise DomainError(
            _("Say what came of the call."), fields={"outcome": _("The outcome is required.")}
        )
    if follow_up.done_at is not None:
        raise DomainError(_("This follow-up is already closed."), code="closed")
    follow_up.outcome, follow_up.done_at, follow_up.done_by = outcome, timezone.now(), actor
    follow_up.save(update_fields=["outcome", "done_at", "done_by"])
    return follow_up


def _addresses(task: FollowUp) -> list[str]:
    if task.assignee is not None:
        return [task.assignee.email]
    managers = User.objects.filter(role__in=("manager", "admin"), is_active=True)
    return list(managers.values_list("email", flat=True))


def reminders_send(now: datetime) -> int:
    """Each open task past its due date, reminded once: the row is marked before the e-mail,
    so a sweep run twice reminds once."""
    today = timezone.localtime(now).date()
    due = FollowUp.objects.filter(done_at__isnull=True, reminded_at__isnull=True, due_on__lte=today)
    sent = 0
    for task in due.select_related("assignee", "answer__customer"):
        if not FollowUp.objects.filter(pk=task.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Follow-up overdue: an unhappy customer, %(name)s") % {
                "name": task.answer.customer.display_name
            }
            body = _(
                "%(name)s gave %(score)s out of 10 and has not been called back yet. The task "
                "was due on %(due)s."
            ) % {
                "name": task.answer.customer.display_name,
                "score": task.answer.score,
                "due": task.due_on.strftime("%d/%m/%Y"),
            }
        try:
            sent += send_mail(subject, body, None, _addresses(task))
        except Exception:  # marked reminded already: a reminder lost, never two
            log.warning("follow-up %s: the reminder could not be sent", task.pk, exc_info=True)
    return sent
