"""The demo shows the dashboard's alerts and the reports page something: contracts and URSSAF
vigilance certificates ending (counted by the dashboard's own selectors) and a scheduled
report, made by reporting's hook (the demo may not import reporting), kept once over a
re-seed."""

import pytest
from django.core.management import call_command

from relais.commissions.selectors import partners_with_vigilance_expiring
from relais.partners.selectors import partners_with_contract_expiring
from relais.reporting.models import ReportSubscription

pytestmark = pytest.mark.django_db


def test_the_demo_has_papers_ending_and_a_scheduled_report():
    call_command("seed_demo", "--size", "small")
    assert partners_with_contract_expiring().count() == 2
    assert partners_with_vigilance_expiring().count() == 2
    [report] = ReportSubscription.objects.all()
    assert report.frequency == "monthly"
    assert [r.email for r in report.recipients.all()] == ["manager@relais.demo"]
    assert all(r.confirmed_at for r in report.recipients.all())
    call_command("seed_demo", "--size", "small", "--flush")
    [again] = ReportSubscription.objects.all()
    assert [r.email for r in again.recipients.all()] == ["manager@relais.demo"]
