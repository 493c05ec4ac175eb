"""Issue 30's workload: the manager's dashboard with its filters and the map, through Django's
handler in this process (the charts and the map from the counters: ``reporting.LeadMonth``, the
engagement ``PartnerMonth``, the routing ``KpiMonth``); p95 against the floor of ``/ping``
through the same handler.

``python -m bench --only dashboards`` runs it alone (on each engine's bench database)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client

from bench.measure import percentile, result
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.leads.models import Lead
from relais.reporting.models import LeadMonth

PAGES = {
    "dashboard_filtered": "/dashboard/?period=12m&region=Auvergne-Rh%C3%B4ne-Alpes",
    "dashboard_htmx_departement": "/dashboard/?departement=69&partner_kind=introducer",
    "map_leads_per_reseller": "/dashboard/map/?measure=per_reseller",
}


def _timed(client: Client, path: str, count: int, **headers: str) -> list[float]:
    client.get(path, headers=headers)  # warm: the first view reads the geometry, fills caches
    out = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        out.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return out


def dashboards(fx: Any = None, *, quick: bool) -> list[dict[str, Any]]:
    count = 20 if quick else 60
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).first()
    assert manager, "the bench network has a manager"
    client = Client()
    client.force_login(manager)
    if not LeadMonth.objects.exists():
        from relais.leads import counters

        counters.rebuild()
    leads = Lead.objects.count()
    floor = percentile(_timed(client, "/ping", count), 0.95) * 1000
    found = []
    for name, path in PAGES.items():
        htmx = {"HX-Request": "true"} if "htmx" in name else {}
        times = _timed(client, path, count, **htmx)
        p95 = percentile(times, 0.95) * 1000
        found.append(
            result(
                name,
                value=p95,
                unit="ms (p95)",
                spread=(min(times) * 1000, max(times) * 1000),
                floor=floor,
                ratio=p95 / floor,
                target="p95 ≤ 100 ms",
                met=p95 <= 100,
                note=f"{path}, {count} requests in-process at {leads:,} leads; floor: /ping p95",
            )
        )
    return found
