"""Recording an answer: one click sets the score, a second click changes it (never a second
answer), the counters move in the same transaction, a detractor gets a follow-up task and a
promoter an invitation (once per customer). Then the optional comment and, for a promoter,
the consent to publish it with their first name, recorded with the wording they agreed to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core import events
from relais.core.errors import DomainError
from relais.surveys import bulk
from relais.surveys.choices import Category, Dimension, category_of
from relais.surveys.events import SurveyAnswered
from relais.surveys.models import (
    ALL_TIME,
    Answer,
    FollowUp,
    Invitation,
    NpsCounter,
    SurveyRequest,
)

COMMENT_LIMIT = 2000


def consent_wording() -> str:
    """The sentence a promoter ticks, in the language of the page: stored as they read it."""
    return _(
        "I agree that %(company)s publishes my comment with my first name as a testimonial."
    ) % {"company": settings.RELAIS_COMPANY_NAME}


def _keys(answer: Answer) -> list[tuple[str, str]]:
    """The counter rows one answer counts in: everyone, and each group it belongs to."""
    keys = [(Dimension.ALL.value, "")]
    for dimension, value in (
        (Dimension.PRODUCT, answer.product_id_copy),
        (Dimension.DEPARTEMENT, answer.departement_code),
        (Dimension.RESELLER, answer.reseller_id_copy),
        (Dimension.SALESPERSON, answer.salesperson_id_copy),
    ):
        if value:
            keys.append((dimension.value, str(value)))
    return keys


def _move(answer: Answer, steps: dict[Category, int]) -> None:
    """Add ``steps`` (per category) to the answer's counter rows, in one statement: each
    group's row for the month and its all-time row (``ALL_TIME``), which the results read
    when no period is asked (a few hundred rows, not every month's)."""
    keys = sorted((d, k, m) for d, k in _keys(answer) for m in (answer.month, ALL_TIME))
    promoters, passives, detractors = (
        steps.get(c, 0) for c in (Category.PROMOTER, Category.PASSIVE, Category.DETRACTOR)
    )
    bulk.counters_add(rows=[(d, k, m, promoters, passives, detractors) for d, k, m in keys])


@dataclass(frozen=True)
class Recorded:
    answer: Answer
    changed: bool  # a second click: the score was changed, not added
    invitation: Invitation | None = None  # a promoter's (made once), for the thank-you page


def _month(at: datetime) -> date:
    return timezone.localtime(at).date().replace(day=1)


def answer_record(*, request_id: int, score: int, now: datetime | None = None) -> Recorded:
    """One click: the score of this survey set, or changed. The survey's row and its
    customer's are locked, so two clicks at once make one answer, and two surveys of one
    customer answered at once one invitation. What the lock guards (the answer, its follow-up,
    the invitation) is read after it, by statements of their own: a row another transaction
    added while this one waited is not seen by the locking statement's joins (PostgreSQL
    re-reads only the locked rows)."""
    if not 0 <= score <= 10:
        raise DomainError(_("A score is a whole number from 0 to 10."), code="score_range")
    now = now or timezone.now()
    with transaction.atomic():
        request = (
            SurveyRequest.objects.select_for_update(of=("self", "customer"))
            .select_related("customer")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            raise DomainError(_("This survey no longer exists."), code="unknown")
        customer = request.customer
        answer = Answer.objects.select_related("follow_up").filter(request_id=request.pk).first()
        if answer is None:
            answer = _first(request, score, now)
            events.publish(SurveyAnswered(answer_id=answer.pk, previous_score=None))
            invitation = _consequences(answer, now, follow_up=None)
            return Recorded(answer, changed=False, invitation=invitation)
        answer.request, answer.customer = request, customer  # read already: not again
        before = category_of(answer.score)
        if answer.score != score:
            events.publish(SurveyAnswered(answer_id=answer.pk, previous_score=answer.score))
            answer.score, answer.changed_at = score, now
            answer.save(update_fields=["score", "changed_at"])
            if category_of(score) != before:
                _move(answer, {before: -1, category_of(score): +1})
        invitation = _consequences(answer, now, follow_up=_related(answer, "follow_up"))
        return Recorded(answer, changed=True, invitation=invitation)


def _related(instance: object, name: str) -> Any:
    """A reverse one-to-one read by ``select_related``: the row, or None (no query)."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def _first(request: SurveyRequest, score: int, now: datetime) -> Answer:
    customer = request.customer
    answer = Answer.objects.create(
        request=request,
        customer=customer,
        score=score,
        answered_at=now,
        month=_month(now),
        product_id_copy=customer.product_id,
        departement_code=customer.departement_id or "",
        reseller_id_copy=customer.reseller_id,
        salesperson_id_copy=customer.salesperson_id,
    )
    _move(answer, {category_of(score): +1})
    return answer


def _consequences(
    answer: Answer, now: datetime, *, follow_up: FollowUp | None
) -> Invitation | None:
    """A detractor's follow-up (``follow_up``: the one there already) and a promoter's
    invitation, each made once (under the customer's lock). Returns the customer's invitation,
    for a promoter."""
    category = category_of(answer.score)
    if category == Category.DETRACTOR and follow_up is None:
        customer = answer.customer
        FollowUp.objects.create(
            answer=answer,
            assignee_id=customer.salesperson_id,
            reseller_id=customer.reseller_id,
            created_at=now,
            due_on=timezone.localtime(now).date()
            + timedelta(days=settings.RELAIS_SURVEY_FOLLOW_UP_DAYS),
        )
    elif category == Category.PROMOTER:
        invitation = Invitation.objects.filter(customer_id=answer.customer_id).first()
        if invitation is None:
            invitation = Invitation.objects.create(
                customer_id=answer.customer_id, answer=answer, created_at=now
            )
        return invitation
    return None


def answer_comment(
    *, answer: Answer, comment: str, publish: bool, wording: str, now: datetime | None = None
) -> Answer:
    """The comment, and for a promoter the consent to publish it (with the wording shown)."""
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise DomainError(
            _("The comment is limited to %(limit)s characters.") % {"limit": COMMENT_LIMIT},
            fields={"comment": _("Too long.")},
        )
    now = now or timezone.now()
    may_publish = publish and bool(comment) and category_of(answer.score) == Category.PROMOTER
    answer.comment, answer.commented_at = comment, now
    answer.publish_consent = may_publish
    answer.consent_wording = wording if may_publish else ""
    answer.consent_at = now if may_publish else None
    answer.save(
        update_fields=[
            "comment",
            "commented_at",
            "publish_consent",
            "consent_wording",
            "consent_at",
        ]
    )
    return answer


def counters_rebuild() -> int:
    """Recompute every counter from the answers (a repair, and what a bulk load that went past
    ``answer_record`` runs after): one GROUP BY per dimension, the rows replaced in one
    transaction. Returns how many counter rows there are."""
    from django.db.models import Count, Q

    columns = {
        Dimension.ALL: None,
        Dimension.PRODUCT: "product_id_copy",
        Dimension.DEPARTEMENT: "departement_code",
        Dimension.RESELLER: "reseller_id_copy",
        Dimension.SALESPERSON: "salesperson_id_copy",
    }
    sums = {
        "p": Count("pk", filter=Q(score__gte=9)),
        "a": Count("pk", filter=Q(score__in=(7, 8))),
        "d": Count("pk", filter=Q(score__lte=6)),
    }
    rows = []
    for dimension, column in columns.items():
        answers = Answer.objects.order_by()
        if column == "departement_code":
            answers = answers.exclude(departement_code="")
        elif column:
            answers = answers.exclude(**{f"{column}__isnull": True})
        for keys in (["month", column] if column else ["month"], [column] if column else []):
            groups = answers.values(*keys).annotate(**sums) if keys else [answers.aggregate(**sums)]
            for group in groups:
                if not any(group[n] for n in sums):
                    continue  # no answer at all
                rows.append(
                    NpsCounter(
                        dimension=dimension,
                        key=str(group[column]) if column else "",
                        month=group.get("month", ALL_TIME),
                        promoters=group["p"],
                        passives=group["a"],
                        detractors=group["d"],
                    )
                )
    with transaction.atomic():
        NpsCounter.objects.all().delete()
        NpsCounter.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
