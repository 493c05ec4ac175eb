"""A partner's reading of modules and attempts at their quizzes (the writes of training's
learning side). The answers are checked here, on the server, against ``Choice.correct``: what
the page sends is only which choices were ticked, never whether they are right.

A module is completed when its current version was read and, if it has questions, a quiz
attempt of that version was passed; completing it issues its certificate (and a path's, once
all the path's modules are done).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner
from relais.partners.services import partner_activate_if_ready
from relais.training import certificates
from relais.training.choices import AttemptState
from relais.training.models import Attempt, Certificate, Choice, Module, Question, Reading

# Questions and choices are shuffled with the system's randomness: a partner who could predict
# the draw could learn the answers' positions instead of the answers.
_random = random.SystemRandom()


@dataclass(frozen=True)
class QuizStatus:
    """Where a partner stands with a module's quiz: what the result page and the module page
    say (attempts used and left, when a retry is possible, the open attempt, a pass)."""

    used: int
    left: int | None  # None: no limit
    retry_at: datetime | None  # a wait after a failure that has not passed yet
    open_attempt: Attempt | None
    passed: Attempt | None

    @property
    def can_start(self) -> bool:
        return self.passed is None and self.retry_at is None and self.left != 0


def _cycle_start(partner: Partner, module: Module) -> datetime | None:
    """When the partner's current round of attempts began: after its certificate of this
    version lapsed (expired or revoked), earlier attempts no longer use up the allowance."""
    now = timezone.now()
    lapsed = Certificate.objects.filter(
        Q(expires_at__lte=now) | Q(revoked_at__isnull=False),
        partner=partner,
        module=module,
        version=module.version,
    )
    moments = [c.revoked_at or c.expires_at for c in lapsed]
    return max((m for m in moments if m is not None), default=None)


def _attempts(partner: Partner, module: Module) -> QuerySet[Attempt]:
    attempts = Attempt.objects.filter(partner=partner, module=module, version=module.version)
    start = _cycle_start(partner, module)
    return attempts.filter(started_at__gt=start) if start is not None else attempts


def quiz_status(*, partner: Partner, module: Module) -> QuizStatus:
    """The partner's attempts at the current version of ``module`` and what they allow next."""
    attempts = list(_attempts(partner, module))  # newest first (the model's ordering)
    submitted = [a for a in attempts if a.state != AttemptState.STARTED]
    allowed = module.attempts_allowed
    left = None if allowed == 0 else max(allowed - len(submitted), 0)
    retry_at = None
    last_failed = next((a for a in submitted if a.state == AttemptState.FAILED), None)
    if last_failed and last_failed.submitted_at and module.wait_minutes:
        until = last_failed.submitted_at + timedelta(minutes=module.wait_minutes)
        retry_at = until if until > timezone.now() else None
    return QuizStatus(
        used=len(submitted),
        left=left,
        retry_at=retry_at,
        open_attempt=next((a for a in attempts if a.state == AttemptState.STARTED), None),
        passed=next((a for a in submitted if a.state == AttemptState.PASSED), None),
    )


def attempt_start(*, partner: Partner, module: Module) -> Attempt:
    """Open an attempt at ``module``'s quiz, or return the one already open (a double click
    opens one). Refused when the module has no questions, when the partner already passed it,
    when the attempts allowed for this version are used up, or while the wait after a failed
    attempt runs (the message says when to come back)."""
    questions = list(module.questions.prefetch_related("choices"))
    if not questions:
        raise DomainError(_("This module has no quiz."), code="no_quiz")
    status = quiz_status(partner=partner, module=module)
    if status.open_attempt is not None:
        return status.open_attempt
    if status.passed is not None:
        raise DomainError(_("You have already passed this quiz."), code="passed")
    if status.left == 0:
        raise DomainError(
            _("You have used all your attempts at this quiz."), code="no_attempt_left"
        )
    if status.retry_at is not None:
        when = date_format(timezone.localtime(status.retry_at), "SHORT_DATETIME_FORMAT")
        raise DomainError(_("You may try again from %(when)s.") % {"when": when}, code="wait")
    # An attempt left open on a version since replaced would hold the one-open-attempt slot
    # forever: its questions may no longer be the module's, and it has no answer to keep.
    Attempt.objects.filter(partner=partner, module=module, state=AttemptState.STARTED).exclude(
        version=module.version
    ).delete()
    drawn = _draw(questions, module.questions_per_attempt)
    attempt = Attempt(
        partner=partner,
        module=module,
        version=module.version,
        drawn=[q.pk for q in drawn],
        order={str(q.pk): _shuffled([c.pk for c in q.choices.all()]) for q in drawn},
        started_at=timezone.now(),
    )
    try:
        # The partial unique constraint (one open attempt per partner and module) settles a
        # double click: the second insert fails and returns the first one's attempt.
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        return Attempt.objects.get(partner=partner, module=module, state=AttemptState.STARTED)
    return attempt


def _draw(questions: list[Question], count: int | None) -> list[Question]:
    """``count`` questions drawn from the bank (all of them when empty), in a random order."""
    if count and count < len(questions):
        return _random.sample(questions, count)
    return _shuffled(questions)


def _shuffled[T](items: list[T]) -> list[T]:
    items = list(items)
    _random.shuffle(items)
    return items


def attempt_questions(attempt: Attempt) -> list[tuple[Question, list[Choice]]]:
    """The attempt's questions and their choices, in the order drawn for it."""
    questions = Question.objects.filter(pk__in=attempt.drawn).prefetch_related("choices")
    by_id = {q.pk: q for q in questions}
    rows = []
    for pk in attempt.drawn:
        question = by_id.get(pk)
        if question is None:  # deleted by a manager since the draw
            continue
        choices = {c.pk: c for c in question.choices.all()}
        order = attempt.order.get(str(pk), [])
        rows.append((question, [choices[c] for c in order if c in choices]))
    return rows


def attempt_submit(*, attempt: Attempt, answers: dict[int, list[int]]) -> Attempt:
    """Score ``answers`` ({question id: ticked choice ids}) against the right choices: a
    question scores its points only when exactly its right choices are ticked. Passed when the
    score reaches the module's pass mark (every point when it has none, and never more than the
    points drawn). A retry of the same submission returns the result; a different one after
    it is refused. A pass completes the module if it was read."""
    clean = {int(q): sorted({int(c) for c in ticked}) for q, ticked in answers.items()}
    with transaction.atomic():
        # Locked: two submissions at once (a double click) score the attempt once.
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state != AttemptState.STARTED:
            if _same(locked.answers, clean):
                return locked
            raise DomainError(_("This attempt was already submitted."), code="submitted")
        score, out_of = _score(locked, clean)
        module = locked.module
        mark = min(module.pass_mark or out_of, out_of)
        locked.answers = {str(q): c for q, c in clean.items()}
        locked.score, locked.out_of = score, out_of
        locked.state = AttemptState.PASSED if score >= mark else AttemptState.FAILED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["answers", "score", "out_of", "state", "submitted_at"])
        current = locked.version == module.version
        if locked.state == AttemptState.PASSED and current and _was_read(locked.partner_id, module):
            _complete(partner=locked.partner, module=module)
    return locked


def _was_read(partner_id: int, module: Module) -> bool:
    return Reading.objects.filter(
        partner_id=partner_id, module=module, version=module.version
    ).exists()


def _same(stored: dict[str, list[int]], answers: dict[int, list[int]]) -> bool:
    return {int(q): sorted(c) for q, c in stored.items()} == answers


def _score(attempt: Attempt, answers: dict[int, list[int]]) -> tuple[int, int]:
    """(points scored, points drawn); refuses an answer to a question that was not drawn for
    this attempt, or a choice that is not one of the question's."""
    drawn = set(attempt.drawn)
    stray = set(answers) - drawn
    if stray:
        raise DomainError(_("An answer is for a question not asked in this attempt."), code="stray")
    choices = Choice.objects.filter(question_id__in=drawn).values_list(
        "question_id", "pk", "correct"
    )
    of_question: dict[int, set[int]] = {pk: set() for pk in drawn}
    right: dict[int, set[int]] = {pk: set() for pk in drawn}
    for question_id, pk, correct in choices:
        of_question[question_id].add(pk)
        if correct:
            right[question_id].add(pk)
    for question_id, ticked in answers.items():
        if not set(ticked) <= of_question[question_id]:
            raise DomainError(_("An answer is not one of the question's choices."), code="stray")
    points = dict(Question.objects.filter(pk__in=drawn).values_list("pk", "points"))
    score = sum(p for q, p in points.items() if set(answers.get(q, [])) == right[q] and right[q])
    out_of = Question.objects.filter(pk__in=drawn).aggregate(total=Sum("points"))["total"]
    return score, out_of or 0


def module_read(*, partner: Partner, module: Module) -> Reading:
    """Record that the partner read the current version of ``module`` (once: reading it again
    changes nothing). A module without questions is completed by reading it; one whose quiz
    was passed first is completed now."""
    with transaction.atomic():
        reading, _created = Reading.objects.get_or_create(
            partner=partner,
            module=module,
            version=module.version,
            defaults={"read_at": timezone.now()},
        )
        quiz = module.questions.exists()
        if not quiz or quiz_status(partner=partner, module=module).passed is not None:
            _complete(partner=partner, module=module)
    return reading


def _complete(*, partner: Partner, module: Module) -> None:
    """The module is completed: its certificate, each of its paths' once they are done, and an
    accepted candidate waiting only for its required training becomes active."""
    certificates.certificate_issue(partner=partner, module=module)
    for path in module.paths.filter(published=True):
        certificates.path_certificate_issue_if_complete(partner=partner, path=path)
    if partner.status == PartnerStatus.CANDIDATE and module.required_for:
        partner_activate_if_ready(partner=partner, actor=None)
