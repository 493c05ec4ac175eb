"""Quiz attempts: the draw, the limits, the check on the server, completion on a pass."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.core.errors import DomainError
from relais.testing.factories import PartnerFactory
from relais.training.choices import AttemptState
from relais.training.models import Attempt, Certificate, Choice, Module, Question
from relais.training.progress import module_done
from relais.training.quiz import attempt_start, attempt_submit, module_read, quiz_status

pytestmark = pytest.mark.django_db


def make_module(questions=3, **kwargs) -> Module:
    """A published module whose question n has choices "right" (correct) and two wrong ones;
    question 0 is a multiple-choice one with two right answers."""
    kwargs.setdefault("title", "Conformité")
    module = Module.objects.create(published=True, **kwargs)
    for n in range(questions):
        question = Question.objects.create(module=module, text=f"Q{n}", multiple=n == 0, position=n)
        Choice.objects.create(question=question, text="right", correct=True)
        Choice.objects.create(question=question, text="wrong")
        Choice.objects.create(
            question=question, text="right too" if n == 0 else "wrong 2", correct=n == 0
        )
    return module


def right_answers(attempt: Attempt) -> dict[int, list[int]]:
    return {
        q: list(Choice.objects.filter(question_id=q, correct=True).values_list("pk", flat=True))
        for q in attempt.drawn
    }


def wrong_answers(attempt: Attempt) -> dict[int, list[int]]:
    return {
        q: [Choice.objects.filter(question_id=q, correct=False).values_list("pk", flat=True)[0]]
        for q in attempt.drawn
    }


def test_a_module_without_questions_has_no_quiz_and_is_completed_by_reading():
    partner = PartnerFactory()
    module = make_module(questions=0)
    with pytest.raises(DomainError, match="no quiz"):
        attempt_start(partner=partner, module=module)
    module_read(partner=partner, module=module)
    module_read(partner=partner, module=module)  # reading again changes nothing
    assert module_done(partner, module)
    assert Certificate.objects.filter(partner=partner, module=module).count() == 1


def test_a_double_click_opens_one_attempt():
    partner = PartnerFactory()
    module = make_module()
    first = attempt_start(partner=partner, module=module)
    assert attempt_start(partner=partner, module=module) == first
    assert Attempt.objects.count() == 1


def test_a_subset_is_drawn_and_questions_and_choices_are_shuffled_and_recorded():
    partner = PartnerFactory()
    module = make_module(questions=8, questions_per_attempt=3, attempts_allowed=0)
    bank = set(module.questions.values_list("pk", flat=True))
    orders, draws = set(), set()
    for _ in range(12):
        attempt = attempt_start(partner=partner, module=module)
        assert len(attempt.drawn) == 3
        assert set(attempt.drawn) <= bank
        assert set(attempt.order) == {str(q) for q in attempt.drawn}
        for q, choices in attempt.order.items():
            assert sorted(choices) == sorted(
                Choice.objects.filter(question_id=q).values_list("pk", flat=True)
            )
        orders.add(tuple(attempt.order[str(attempt.drawn[0])]))
        draws.add(tuple(attempt.drawn))
        attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert len(draws) > 1
    assert len(orders) > 1


def test_the_server_checks_the_answers_ticking_everything_scores_nothing():
    partner = PartnerFactory()
    module = make_module(questions=2)
    attempt = attempt_start(partner=partner, module=module)
    everything = {q: attempt.order[str(q)] for q in attempt.drawn}  # a forged POST
    result = attempt_submit(attempt=attempt, answers=everything)
    assert (result.score, result.out_of, result.state) == (0, 2, AttemptState.FAILED)


def test_a_multiple_choice_question_needs_exactly_its_right_answers():
    partner = PartnerFactory()
    module = make_module(questions=1)
    attempt = attempt_start(partner=partner, module=module)
    (q,) = attempt.drawn
    one_right = Choice.objects.filter(question_id=q, correct=True).first()
    result = attempt_submit(attempt=attempt, answers={q: [one_right.pk]})
    assert result.score == 0


def test_answers_to_a_question_not_drawn_or_a_choice_of_another_question_are_refused():
    partner = PartnerFactory()
    module = make_module(questions=4, questions_per_attempt=2)
    attempt = attempt_start(partner=partner, module=module)
    other = module.questions.exclude(pk__in=attempt.drawn).first()
    with pytest.raises(DomainError, match="not asked"):
        attempt_submit(attempt=attempt, answers={other.pk: [other.choices.first().pk]})
    q = attempt.drawn[0]
    with pytest.raises(DomainError, match="not one of"):
        attempt_submit(attempt=attempt, answers={q: [other.choices.first().pk]})
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.STARTED


def test_a_second_submit_returns_the_result_and_a_different_one_is_refused():
    partner = PartnerFactory()
    module = make_module()
    attempt = attempt_start(partner=partner, module=module)
    first = attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    again = attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert (again.pk, again.score, again.submitted_at) == (first.pk, 0, first.submitted_at)
    with pytest.raises(DomainError, match="already submitted"):
        attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.FAILED


def test_the_attempts_allowed_run_out():
    partner = PartnerFactory()
    module = make_module(attempts_allowed=2)
    for _ in range(2):
        attempt = attempt_start(partner=partner, module=module)
        attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert quiz_status(partner=partner, module=module).left == 0
    with pytest.raises(DomainError, match="used all your attempts"):
        attempt_start(partner=partner, module=module)
    module.version = 2  # the manager requires everyone to take it again: a new allowance
    module.save()
    assert attempt_start(partner=partner, module=module).version == 2


def test_the_wait_after_a_failure_says_when_to_come_back():
    partner = PartnerFactory()
    module = make_module(wait_minutes=60)
    attempt = attempt_start(partner=partner, module=module)
    attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    status = quiz_status(partner=partner, module=module)
    assert status.retry_at is not None
    assert status.left == 2
    with pytest.raises(DomainError, match="try again from"):
        attempt_start(partner=partner, module=module)
    Attempt.objects.filter(pk=attempt.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=61)
    )
    assert attempt_start(partner=partner, module=module).state == AttemptState.STARTED


def test_a_pass_after_reading_completes_the_module_with_its_certificate():
    partner = PartnerFactory()
    module = make_module(pass_mark=2)
    module_read(partner=partner, module=module)
    attempt = attempt_start(partner=partner, module=module)
    answers = right_answers(attempt)
    answers[attempt.drawn[0]] = []  # one question left blank: 2 of 3, the pass mark
    result = attempt_submit(attempt=attempt, answers=answers)
    assert (result.score, result.out_of, result.state) == (2, 3, AttemptState.PASSED)
    assert module_done(partner, module)
    assert Certificate.objects.filter(partner=partner, module=module).exists()
    with pytest.raises(DomainError, match="already passed"):
        attempt_start(partner=partner, module=module)


def test_a_pass_before_reading_completes_the_module_when_it_is_read():
    partner = PartnerFactory()
    module = make_module()
    attempt = attempt_start(partner=partner, module=module)
    attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert not module_done(partner, module)
    assert not Certificate.objects.exists()
    module_read(partner=partner, module=module)
    assert module_done(partner, module)
    assert Certificate.objects.filter(partner=partner, module=module).exists()


def test_an_attempt_left_open_on_a_replaced_version_gives_way_to_one_on_the_new_version():
    partner = PartnerFactory()
    module = make_module()
    stale = attempt_start(partner=partner, module=module)
    module.version = 2
    module.save()
    fresh = attempt_start(partner=partner, module=module)
    assert fresh.version == 2
    assert not Attempt.objects.filter(pk=stale.pk).exists()


def test_a_pass_of_a_replaced_version_does_not_complete_the_new_one():
    partner = PartnerFactory()
    module = make_module()
    attempt = attempt_start(partner=partner, module=module)
    module_read(partner=partner, module=module)
    Module.objects.filter(pk=module.pk).update(version=2)
    module.refresh_from_db()
    attempt_submit(attempt=attempt, answers=right_answers(attempt))
    module_read(partner=partner, module=module)
    assert not module_done(partner, module)
    assert quiz_status(partner=partner, module=module).passed is None


def test_an_expired_certificate_is_renewed_by_passing_the_quiz_again(client):
    partner = PartnerFactory()
    module = make_module(validity=1, attempts_allowed=1)
    module_read(partner=partner, module=module)
    first = attempt_start(partner=partner, module=module)
    attempt_submit(attempt=first, answers=right_answers(first))
    # a year and a day later
    year_ago = timezone.now() - timedelta(days=366)
    Attempt.objects.filter(pk=first.pk).update(started_at=year_ago, submitted_at=year_ago)
    old = Certificate.objects.get(partner=partner, module=module)
    Certificate.objects.filter(pk=old.pk).update(
        issued_at=year_ago, expires_at=timezone.now() - timedelta(days=1)
    )
    assert not module_done(partner, module)
    # a new round of attempts: the one allowed was used before the certificate lapsed
    again = attempt_start(partner=partner, module=module)
    attempt_submit(attempt=again, answers=right_answers(again))
    assert module_done(partner, module)
    renewed = Certificate.objects.filter(partner=partner, module=module).order_by("round")
    assert [c.round for c in renewed] == [1, 2]
    assert renewed[1].expires_at > timezone.now() + timedelta(days=360)
    # the old code still says what it was
    assert "Expired" in client.get(f"/verify/{old.code}/").content.decode()
