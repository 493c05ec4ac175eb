"""The demo's paid runs have their statements, made by the task worker as for any run (the
run page showed every one 'being made', forever)."""

import pytest
from django.core.management import call_command

from relais.commissions.models import PaymentItem, PaymentRun

# The real task worker runs here and closes the connection it used: a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_paid_runs_statements_are_made_by_the_worker():
    call_command("seed_demo", "--size", "small", "--leads", "600", verbosity=0)
    assert PaymentRun.objects.filter(status="paid").count() == 2
    assert PaymentItem.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert not PaymentItem.objects.filter(statement="").exists()
