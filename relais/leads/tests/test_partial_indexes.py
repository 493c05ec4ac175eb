"""The indexes of mostly empty columns hold only the rows with a value (a new lead, a system
event, an assignment of the other kind is written without them); every lookup by a value must
still be served by them, on both databases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from relais.leads.models import Lead, LeadEvent
from relais.routing.models import Assignment

pytestmark = pytest.mark.django_db

LOOKUPS = {
    "lead_assigned_reseller_idx": lambda: Lead.objects.filter(
        assigned_reseller_id=1, status__in=["assigned", "opened"]
    ).order_by("-assigned_at")[:25],
    "lead_assigned_salesperson_idx": lambda: Lead.objects.filter(
        assigned_salesperson_id=1, status__in=["assigned", "opened"]
    ).order_by("-assigned_at")[:25],
    "lead_salesperson_idx": lambda: Lead.objects.filter(salesperson_id=1),
    "lead_duplicate_of_idx": lambda: Lead.objects.filter(duplicate_of_id=1),
    "lead_event_actor_idx": lambda: LeadEvent.objects.filter(actor_id=1),
    # The router's 12-month counts, for many assignees at once.
    "assignment_reseller_idx": lambda: (
        Assignment.objects.filter(
            reseller_id__any_of=[1, 2, 3], assigned_at__gte=timezone.now() - timedelta(days=365)
        )
        .values("reseller_id")
        .annotate(n=Count("assigned_at"))
    ),
    "assignment_salesperson_idx": lambda: Assignment.objects.filter(
        salesperson_id__any_of=[1, 2], assigned_at__gte=timezone.now() - timedelta(days=365)
    ),
    "assignment_assigned_by_idx": lambda: Assignment.objects.filter(assigned_by_id=1),
}


@pytest.mark.parametrize("index", LOOKUPS)
def test_each_lookup_by_a_value_is_served_by_its_partial_index(index):
    if connection.vendor == "postgresql":
        # The test tables are nearly empty: without this, reading them whole is cheapest.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    else:
        # Statistics an earlier test's ANALYZE left (a committed demo) describe tables emptied
        # since, and steer SQLite to another index: plan as on a database with none.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")  # SQLite rereads its statistics
    assert index in LOOKUPS[index]().explain()
