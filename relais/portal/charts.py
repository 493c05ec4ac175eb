"""The partners' own charts in the portal, from the same chart definitions as the manager's
dashboard (``core.charts.Chart``): an introducer's leads by month and what became of them, and its
earnings; a reseller's rates month by month against the network's and the norm's. Each reads
a counter (``PartnerMonth``, ``KpiMonth``) or a list already in the page, never the leads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from relais.core.charts import Chart, Series, last_months, month_label, whole_euros
from relais.core.formatting import format_ratio
from relais.engagement.models import PartnerMonth
from relais.leads import counters
from relais.partners.models import Partner
from relais.routing.choices import AssigneeKind
from relais.routing.models import KpiMonth
from relais.routing.norms import norms


def introducer_leads_chart(*, partner: Partner) -> Chart:
    """The partner's leads of the last 12 months by month of submission, and how many of them
    were qualified and won since (a cohort, as the dashboard's funnel)."""
    counters.refresh()
    months = last_months()
    rows = PartnerMonth.objects.filter(partner=partner, month__in=months).values_list(
        "month", "submitted", "qualified", "won"
    )
    found = {m: (s, q, w) for m, s, q, w in rows}
    zero = (0, 0, 0)
    return Chart(
        "my-leads",
        _("My leads by month, and what became of them"),
        "bars",
        [month_label(m) for m in months],
        [
            Series(name, [found.get(m, zero)[i] for m in months])
            for i, name in enumerate((_("Passed on"), _("Qualified"), _("Won")))
        ],
    )


def earnings_chart(*, months: Sequence[dict[str, Any]]) -> Chart:
    """Earned and paid by month (``commissions.selectors.by_month``'s rows) over 12 months."""
    shown = last_months()
    found: dict[date, dict[str, Any]] = {r["month"]: r for r in months}
    empty = {"earned": Decimal(0), "paid": Decimal(0)}
    return Chart(
        "my-earnings",
        _("My commissions, earned and paid"),
        "bars",
        [month_label(m) for m in shown],
        [
            Series(_("Earned"), [found.get(m, empty)["earned"] for m in shown]),
            Series(_("Paid"), [found.get(m, empty)["paid"] for m in shown]),
        ],
        fmt=whole_euros,
    )


# Each rate's numerator among a month's sums (over the leads received).
RATES = {"open_rate": "opened", "treatment_rate": "treated", "closure_rate": "closed"}


def _rates(rows: Any) -> dict[date, dict[str, float | None]]:
    out: dict[date, dict[str, float | None]] = {}
    for r in rows:
        received = r["received"] or 0
        values = {"opened": r["opened"], "treated": r["treated"], "closed": r["won"] + r["lost"]}
        out[r["month"]] = {
            name: (values[field] / received if received else None) for name, field in RATES.items()
        }
    return out


def reseller_rate_charts(*, partner: Partner) -> list[Chart]:
    """Per rate, the reseller's month by month over 12 months against the network's (all the
    resellers' leads together) and the norm: one line chart each, from the KPI months."""
    counters.refresh()
    months = last_months()
    base = KpiMonth.objects.filter(kind=AssigneeKind.RESELLER, month__in=months)
    sums = {f: Sum(f) for f in ("received", "opened", "treated", "won", "lost")}
    mine = _rates(base.filter(assignee_id=partner.pk).values("month").annotate(**sums).order_by())
    network = _rates(base.values("month").annotate(**sums).order_by())
    marks = norms()
    labels = {
        "open_rate": _("Open rate"),
        "treatment_rate": _("Treatment rate"),
        "closure_rate": _("Closure rate"),
    }
    charts = []
    for name in RATES:
        charts.append(
            Chart(
                f"my-{name.replace('_', '-')}",
                _("%(rate)s by month: me, the network and the norm") % {"rate": labels[name]},
                "line",
                [month_label(m) for m in months],
                [
                    Series(_("Me"), [mine.get(m, {}).get(name) for m in months]),
                    Series(_("Network"), [network.get(m, {}).get(name) for m in months]),
                    Series(_("Norm"), [marks[name].target for _m in months]),
                ],
                fmt=lambda v: format_ratio(v),
                span=(0.0, 1.0),
            )
        )
    return charts
