"""A payment run's statements are all made even when the worker making them dies."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from relais.commissions.services import runs
from relais.commissions.tasks import documents_due
from relais.commissions.tests.conftest import payable_line, signed_partner

# The real task worker runs here and closes the connection it used: a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)


def test_statements_left_unmade_by_a_dead_worker_are_made_by_the_next(manager):
    for amount in ("75.00", "120.00"):
        payable_line(signed_partner(mandate=False), amount)
    run = runs.run_create(cutoff=date.today(), execution_date=date.today(), actor=manager)
    # The worker took the task and was killed: the task stays "running", no statement made.
    DBTaskResult.objects.update(status="RUNNING")
    assert documents_due(timezone.now()) == "0 runs to finish"  # it may still be at work
    assert documents_due(timezone.now() + timedelta(hours=1)) == "1 runs to finish"
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert all(item.statement for item in run.items.all())
    assert run.items.count() == 2
    assert documents_due(timezone.now() + timedelta(hours=1)) == "0 runs to finish"
