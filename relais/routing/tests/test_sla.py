"""SLA timers: the clock moves, reminders then reassignment happen exactly once each."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from relais.core.models import Schedule
from relais.core.outbox import deliver_all
from relais.core.scheduling import start_schedules
from relais.leads.models import Lead
from relais.routing import services
from relais.routing.kpis import kpi_table
from relais.routing.models import Assignment, SlaEvent
from relais.routing.sla import sla_sweep
from relais.routing.tests.conftest import make_qualified, make_reseller

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the sweep at a moment, with its after-commit e-mails sent as in production."""

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return sla_sweep(at)

    return run


def test_not_opened_lead_gets_one_reminder_then_is_reassigned_once(manager, sweep):
    first = make_reseller(with_user=True)
    second = make_reseller(with_user=True)
    t0 = timezone.now() - timedelta(days=10)
    lead = make_qualified(manager)
    assert services.lead_route(lead_id=lead.pk, now=t0).reseller == first
    mail.outbox.clear()

    sweep(t0 + timedelta(hours=47))
    assert mail.outbox == []
    assert not SlaEvent.objects.exists()

    sweep(t0 + timedelta(hours=49))
    sweep(t0 + timedelta(hours=50))  # the same deadline again: nothing more
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [first.members.get().user.email]
    assert str(lead.pk) in mail.outbox[0].body
    assert lead.events.filter(kind="open_reminder").count() == 1

    sweep(t0 + timedelta(hours=97))
    sweep(t0 + timedelta(hours=98))
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("assigned", second)
    old = Assignment.objects.get(lead=lead, reseller=first)
    assert old.end == "expired"
    assert lead.events.filter(kind="expired").count() == 1
    assert SlaEvent.objects.filter(kind="expired").count() == 1
    # The new assignee's clock starts at the reassignment: no reminder for them yet.
    assert SlaEvent.objects.filter(assignment__reseller=second).count() == 0

    # The first reseller's KPIs show it: received, not opened, expired, reminded once.
    start, end = t0 - timedelta(days=1), t0 + timedelta(days=5)
    kpi = {k.assignee: k for k in kpi_table(start=start, end=end)}[first.pk]
    assert (kpi.received, kpi.opened, kpi.expired, kpi.reminders) == (1, 0, 1, 1)
    assert kpi.lights["open_rate"] == "red"


def test_a_reseller_who_expired_a_lead_is_never_offered_it_again(manager, sweep):
    only = make_reseller()
    t0 = timezone.now() - timedelta(days=10)
    lead = make_qualified(manager)
    services.lead_route(lead_id=lead.pk, now=t0)
    sweep(t0 + timedelta(hours=97))
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("qualified", None)
    assert lead.events.filter(kind="unassigned").exists()
    assert only.assignments.count() == 1


def test_opened_lead_without_status_is_reminded_at_30_days_and_escalated_at_90(manager, sweep):
    reseller = make_reseller(with_user=True)
    t0 = timezone.now() - timedelta(days=100)
    lead = make_qualified(manager)
    services.lead_route(lead_id=lead.pk, now=t0)
    services.assignment_open(lead=lead, reseller=reseller, actor=None)
    mail.outbox.clear()
    sweep(t0 + timedelta(days=29))
    assert mail.outbox == []
    sweep(t0 + timedelta(days=31))
    sweep(t0 + timedelta(days=32))
    assert [m.to for m in mail.outbox] == [[reseller.members.get().user.email]]
    services.assignee_declare(lead=lead, reseller=reseller, to="in_progress", actor=None)
    sweep(t0 + timedelta(days=91))
    sweep(t0 + timedelta(days=92))
    assert len(mail.outbox) == 2
    assert manager.email in mail.outbox[1].to
    assert lead.events.filter(kind="escalated").count() == 1


def test_a_closed_lead_is_never_escalated(manager, sweep):
    reseller = make_reseller()
    t0 = timezone.now() - timedelta(days=100)
    lead = make_qualified(manager)
    services.lead_route(lead_id=lead.pk, now=t0)
    services.assignee_declare(
        lead=lead, reseller=reseller, to="lost", lost_reason="Trop cher", actor=None
    )
    mail.outbox.clear()
    sweep(t0 + timedelta(days=95))
    assert mail.outbox == []
    assert not SlaEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_runs_the_sweep_and_schedules_the_next_run_once(manager):
    reseller = make_reseller(with_user=True)
    lead = make_qualified(manager)
    deliver_all()  # routed by the LeadQualified event, as the worker delivers it
    Assignment.objects.filter(lead=lead, reseller=reseller).update(
        assigned_at=timezone.now() - timedelta(hours=50)
    )
    mail.outbox.clear()
    start_schedules()
    start_schedules()  # armed twice: still one chain
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    schedule = Schedule.objects.get(name="routing.sla")
    assert schedule.last_result.startswith("reminders: 1")
    assert schedule.next_run_at > timezone.now()
    assert len(mail.outbox) == 1
    assert reseller.members.get().user.email in mail.outbox[0].to
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status="READY", task_path__endswith="run_scheduled")
    sweeps = [task for task in waiting if "routing.sla" in str(task.args_kwargs)]
    assert len(sweeps) == 1
    assert sweeps[0].run_after == schedule.next_run_at
    assert Lead.objects.get(pk=lead.pk).events.filter(kind="open_reminder").count() == 1
