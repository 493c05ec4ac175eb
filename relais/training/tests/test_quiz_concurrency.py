"""A double click, for real (PostgreSQL, two threads at once): two starts open one attempt,
two submissions of a winning answer score it once and issue one certificate."""

import threading

import pytest
from django.db import connection, connections

from relais.testing.factories import PartnerFactory
from relais.training.choices import AttemptState
from relais.training.models import Attempt, Certificate
from relais.training.quiz import attempt_start, attempt_submit, module_read
from relais.training.tests.test_quiz import make_module, right_answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _twice(work) -> list:
    """``work()`` run by two threads released at the same moment; their results."""
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        barrier.wait(timeout=10)
        try:
            results.append(work())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert not errors, errors
    return results


def test_two_starts_at_once_open_one_attempt_and_two_submits_score_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    partner = PartnerFactory()
    module = make_module()
    module_read(partner=partner, module=module)

    started = _twice(lambda: attempt_start(partner=partner, module=module))
    assert started[0].pk == started[1].pk
    assert Attempt.objects.count() == 1

    answers = right_answers(started[0])
    submitted = _twice(lambda: attempt_submit(attempt=started[0], answers=answers))
    assert [a.state for a in submitted] == [AttemptState.PASSED] * 2
    assert submitted[0].submitted_at == submitted[1].submitted_at
    assert Certificate.objects.filter(partner=partner, module=module).count() == 1
