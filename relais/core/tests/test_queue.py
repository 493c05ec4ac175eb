"""A task enqueued for a transaction exists only if that transaction commits."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from relais.core.queue import enqueue_with_commit
from relais.leads.tasks import send_prospect_notices

pytestmark = pytest.mark.django_db


def test_the_task_row_is_written_in_the_callers_transaction_and_rolled_back_with_it():
    seen_inside = []

    def failing_work():
        with transaction.atomic():
            enqueue_with_commit(send_prospect_notices, [1])
            seen_inside.append(DBTaskResult.objects.count())  # no commit of its own
            raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError):
        failing_work()
    assert seen_inside == [1]
    assert DBTaskResult.objects.count() == 0

    with transaction.atomic():
        enqueue_with_commit(send_prospect_notices, [2])
    (kept,) = DBTaskResult.objects.all()
    assert kept.args_kwargs == {"args": [[2]], "kwargs": {}}
