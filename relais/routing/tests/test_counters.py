"""The counters the KPI table and the dashboard read: after any mix of changes, what a refresh
left equals a recomputation from scratch, and the pages see a change at their next read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.leads import counters
from relais.leads.models import LeadDay, LeadTouch
from relais.leads.services import lead_transition
from relais.reporting.selectors import lead_summary
from relais.routing import services
from relais.routing.kpis import kpi_table
from relais.routing.models import KpiMonth
from relais.routing.sla import sla_sweep
from relais.routing.tests.conftest import make_qualified, make_reseller

pytestmark = pytest.mark.django_db

KPI_FIELDS = [f.name for f in KpiMonth._meta.fields if f.name != "id"]


def _counted() -> tuple[list[tuple], list[tuple]]:
    months = sorted(KpiMonth.objects.values_list(*KPI_FIELDS))
    days = sorted(LeadDay.objects.values_list("day", "status", "leads", "won_amount"))
    return months, days


def test_a_refresh_after_every_kind_of_change_equals_a_rebuild(manager):
    first, second = make_reseller(capacity=50), make_reseller(capacity=50)
    last_month = timezone.now() - timedelta(days=35)
    leads = [make_qualified(manager, n) for n in range(7)]
    for n, lead in enumerate(leads):
        services.lead_route(lead_id=lead.pk, now=last_month + timedelta(hours=n))
    a, b, c, d, e, *_taken_back = leads
    assignee = {lead.pk: lead.assignments.get().reseller for lead in leads}

    def mine(lead):
        return {"lead": lead, "reseller": assignee[lead.pk], "actor": None}

    services.assignment_open(**mine(a))
    services.assignee_declare(**mine(a), to="won", amount=1200)
    services.assignee_declare(**mine(b), to="lost", lost_reason="price")
    services.assignee_declare(**mine(c), to="in_progress")
    services.assignment_decline(**mine(d), reason="too far")  # goes to the other reseller
    services.assignment_create(lead=e, actor=manager, reason="key account", reseller=first)
    lead_transition(lead=a, to="qualified", actor=manager)  # reopened by a manager
    sla_sweep(last_month + timedelta(days=5))  # f and g: reminded, then taken back
    counters.refresh()
    assert not LeadTouch.objects.exists()
    refreshed = _counted()
    assert refreshed[0]
    assert refreshed[1]

    counters.rebuild()
    assert _counted() == refreshed
    # And the figures are the ones these changes should give, on both resellers.
    kpis = {k.assignee: k for k in kpi_table(start=last_month, end=timezone.now())}
    total = kpis[first.pk].received + kpis[second.pk].received
    assert total == 7 + 1 + 1 + 2  # seven routed, d declined, e by hand, f and g taken back
    assert sum(k.declined for k in kpis.values()) == 1
    assert sum(k.expired for k in kpis.values()) == 2
    assert sum(k.reminders for k in kpis.values()) == 2


def test_a_change_shows_at_the_next_read(manager):
    reseller = make_reseller()
    lead = make_qualified(manager)
    services.lead_route(lead_id=lead.pk)
    now = timezone.now()
    (before,) = kpi_table(start=now - timedelta(days=1), end=now)
    summary = lead_summary()
    assert (before.won, str(before.revenue), summary.by_status) == (0, "0.00", {"assigned": 1})

    services.assignee_declare(lead=lead, reseller=reseller, actor=None, to="won", amount=900)
    (after,) = kpi_table(start=now - timedelta(days=1), end=now)
    assert (after.won, after.opened, str(after.revenue)) == (1, 1, "900.00")
    summary = lead_summary()
    assert (summary.by_status, str(summary.won_amount)) == ({"won": 1}, "900.00")


def test_a_lead_marked_during_a_refresh_is_counted_by_it(manager):
    """A change committed while a refresh runs leaves its mark, which is not deleted unread."""
    leads = [make_qualified(manager, n) for n in range(2)]
    counters.refresh()
    seen: list[list[int]] = []

    def recompute(lead_ids: list[int]) -> None:
        seen.append(lead_ids)
        if len(seen) == 1:
            counters.touch([leads[1].pk])  # as another transaction would, meanwhile

    counters.register("test.spy", recompute=recompute, rebuild=lambda: None)
    try:
        counters.touch([leads[0].pk])
        counters.refresh()
    finally:
        counters._counters.pop("test.spy")
    assert seen == [[leads[0].pk], [leads[1].pk]]
    assert not LeadTouch.objects.exists()


def test_a_refresh_costs_the_same_queries_for_3_or_30_changed_leads(manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    resellers = [make_reseller(capacity=50) for _ in range(3)]
    costs = []
    for size in (3, 30):
        leads = [make_qualified(manager, size + n) for n in range(size)]
        for lead in leads:
            services.lead_route(lead_id=lead.pk)
        with CaptureQueriesContext(connection) as queries:
            assert counters.refresh() == size * 3  # submitted, qualified, assigned: a mark each
        costs.append(len(queries))
    assert resellers[0].assignments.exists()
    assert costs[0] == costs[1]


def test_the_rebuild_command_restores_counters_written_past(manager):
    from io import StringIO

    from django.core.management import call_command

    reseller = make_reseller()
    lead = make_qualified(manager)
    services.lead_route(lead_id=lead.pk)
    counters.refresh()
    expected = _counted()
    KpiMonth.objects.update(received=99)  # as a restore of some tables could leave them
    LeadDay.objects.all().delete()
    out = StringIO()
    call_command("counters_rebuild", stdout=out)
    assert _counted() == expected
    assert "1 KPI months recomputed" in out.getvalue()
    assert reseller.assignments.count() == 1


def test_days_recounted_after_a_bulk_delete_no_longer_count_the_deleted_leads(manager):
    from relais.leads.models import Lead

    leads = [make_qualified(manager, n) for n in range(3)]
    assert lead_summary().submitted == 3
    Lead.objects.filter(pk=leads[0].pk).delete()  # past the services: no mark is left
    assert lead_summary().submitted == 3
    counters.recount_days({timezone.localdate()})
    assert lead_summary().submitted == 2
