"""``manage.py counters_rebuild``: recompute the dashboard and KPI counters from the leads.

Only needed after rows were written past the services (a bulk load in SQL, a restore of some
tables); the services keep the counters up to date themselves. It lives in routing, not leads,
because it reports the KPI months too, and leads never imports routing."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from relais.leads import counters
from relais.leads.models import LeadDay
from relais.routing.models import KpiMonth


class Command(BaseCommand):
    help = "Recompute the dashboard's and the KPI table's counters from the leads."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        counters.rebuild()
        self.stdout.write(
            f"{LeadDay.objects.count()} lead days and {KpiMonth.objects.count()} KPI months "
            f"recomputed in {time.perf_counter() - started:.1f} s."
        )
