"""Issue 30's reports and exports: the scheduled report's PDF (and XLSX) for the network in
the bench database, and a 100,000-row XLSX export whose memory stays flat (tracemalloc's peak
at 10,000 rows against 100,000: openpyxl's write-only mode keeps no row).

``python -m bench --only reports`` runs it alone."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from bench.measure import result
from relais.core import tabular
from relais.leads.models import Lead
from relais.reporting.report_files import report_files

HEADERS = ["id", "submitted", "last name", "postcode", "channel", "status", "amount"]


def _rows(n: int) -> Iterator[list[Any]]:
    """Lead rows as the lead export writes them, read by chunks (``iterator``), padded with
    made-up rows when the database holds fewer than ``n``."""
    leads = Lead.objects.order_by("pk").values_list(
        "pk", "submitted_at", "last_name", "postcode", "channel", "status", "won_amount"
    )
    got = 0
    for pk, at, name, postcode, channel, status, amount in leads[:n].iterator(chunk_size=2000):
        got += 1
        yield [pk, at.replace(tzinfo=None) if at else None, name, postcode, channel, status, amount]
    for k in range(got, n):
        yield [k, None, f"Nom {k}", "69003", "form", "won", Decimal("1234.50")]


def _export_peak(n: int) -> tuple[float, float]:
    """Seconds and tracemalloc's peak (MB) to write ``n`` rows to an XLSX file."""
    tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as handle:
        tabular.xlsx_write(
            handle, [tabular.Sheet("leads", HEADERS, _rows(n), {6: tabular.MONEY_FORMAT})]
        )
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1e6


def reports(fx: Any = None, *, quick: bool) -> list[dict[str, Any]]:
    leads = Lead.objects.count()
    times = []
    for _ in range(1 if quick else 3):
        started = time.perf_counter()
        pdf, xlsx = report_files(querystring="", title="Bench", language="fr")
        times.append(time.perf_counter() - started)
    best = min(times)
    found = [
        result(
            "report_pdf_xlsx",
            value=best,
            unit="s",
            spread=(min(times), max(times)),
            floor=None,
            ratio=None,
            target="≤ 10 s",
            met=best <= 10,
            note=f"the whole dashboard and map as PDF ({len(pdf) // 1024} KB) and XLSX "
            f"({len(xlsx) // 1024} KB) at {leads:,} leads; best of {len(times)}, the first "
            f"(WeasyPrint's fonts loaded, counters refreshed) {times[0]:.1f} s",
        )
    ]
    small_s, small_mb = _export_peak(10_000)
    large_s, large_mb = _export_peak(100_000)
    found.append(
        result(
            "export_xlsx_100k",
            value=large_mb,
            unit="MB peak (tracemalloc)",
            spread=(small_mb, large_mb),
            floor=small_mb,
            ratio=large_mb / small_mb if small_mb else None,
            target="flat memory: peak at 100k ≤ 1.5 × peak at 10k",
            met=large_mb <= 1.5 * small_mb,
            note=f"10,000 rows {small_s:.1f} s / {small_mb:.1f} MB; 100,000 rows "
            f"{large_s:.1f} s / {large_mb:.1f} MB",
        )
    )
    return found
