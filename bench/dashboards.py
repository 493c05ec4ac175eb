"""Issue 30's workload: the manager's dashboard with its filters and the map, through Django's
handler in this process (the charts and the map from the counters: ``reporting.LeadMonth``, the
engagement ``PartnerMonth``, the routing ``KpiMonth``); p95 against the floor of ``/ping``
through the same handler.

At the large size the pages read the counters of 1,000,000 leads: the lead months are built
directly (``bulk_create``, 24 months × 101 départements × 5 channels × 5 products × 2 kinds of
bringer, ~121,000 rows summing to 1,000,000 leads) in a transaction rolled back afterwards,
rather than submitting a million leads, since the counters are all the dashboard and the map
read of the leads. With ``--quick`` the same pages are timed on the small network's counters.

``python -m bench --only dashboards`` runs it alone (on each engine's bench database)."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

from bench.measure import percentile, result
from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.leads.models import Lead
from relais.reporting import counters as lead_counters
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


LARGE = 1_000_000


def _million_lead_months() -> int:
    """Lead months for 1,000,000 leads over the last 24 months (replacing the network's own,
    inside the caller's transaction): the counters the pages read at the large size."""
    from relais.core.models import Departement
    from relais.leads.models import ProductCategory

    places = list(Departement.objects.values_list("code", flat=True))
    products = [*ProductCategory.objects.values_list("pk", flat=True)[:4], 0]
    channels = ["portal", "referral_link", "api", "import", "staff"]
    this = timezone.localdate().replace(day=1)
    months = []
    k = this.year * 12 + this.month - 1
    for n in range(24):
        months.append(date((k - n) // 12, (k - n) % 12 + 1, 1))
    cells = [
        (m, c, d, p, kind)
        for m in months
        for c in channels
        for d in places
        for p in products
        for kind in ("introducer", "")
    ]
    each, extra = divmod(LARGE, len(cells))
    rows = []
    for i, (m, c, d, p, kind) in enumerate(cells):
        n = each + (1 if i < extra else 0)
        rows.append(
            LeadMonth(
                month=m,
                channel=c,
                departement=d,
                category=p,
                partner_kind=kind,
                submitted=n,
                qualified=n * 7 // 10,
                assigned=n * 6 // 10,
                opened=n // 2,
                won=n // 5,
                won_amount=Decimal(n // 5 * 4200),
            )
        )
    LeadMonth.objects.all().delete()
    LeadMonth.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _pages(client: Client, count: int, floor: float, leads: int, how: str) -> list[dict[str, Any]]:
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
                note=f"{path}, {count} requests in-process at {leads:,} leads ({how}); "
                "floor: /ping p95",
            )
        )
    return found


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
    if quick:
        return _pages(client, count, floor, leads, f"the network's counters; {_cold(client)}")
    with transaction.atomic():
        started = time.perf_counter()
        cells = _million_lead_months()
        built = time.perf_counter() - started
        lead_counters.bump()  # built past the recompute, which would have changed it
        cold = _cold(client)
        how = (
            f"{cells:,} lead months built directly in {built:.0f} s; first view after a "
            f"recompute: {cold}"
        )
        found = _pages(client, count, floor, LARGE, how)
        transaction.set_rollback(True)  # the network's own counters come back
    lead_counters.bump()
    return found


def _cold(client: Client) -> str:
    """Each page's time right after the lead months changed (their sums not kept yet)."""
    out = []
    for name, path in PAGES.items():
        lead_counters.bump()
        htmx = {"HX-Request": "true"} if "htmx" in name else {}
        started = time.perf_counter()
        client.get(path, headers=htmx)
        out.append(f"{name} {(time.perf_counter() - started) * 1000:.0f} ms")
    return ", ".join(out)
