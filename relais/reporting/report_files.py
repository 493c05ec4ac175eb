"""A scheduled report's attachments: the whole dashboard under the subscription's filters as a
PDF (the charts' and the map's SVG from ``charts``/``france``, the very markup of the page,
drawn by WeasyPrint through ``core.pdf``) and as an XLSX with one sheet per table, the numbers
stored as numbers with their formats."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.core import tabular
from relais.core.http import absolute_url
from relais.core.pdf import render_pdf
from relais.reporting import dashboard, france
from relais.reporting.charts import Chart
from relais.reporting.forms import DashboardFilterForm


@dataclass(frozen=True)
class Report:
    """What a report shows: the filters as read, the charts and the map."""

    title: str
    filters: list[tuple[str, str]]  # (label, chosen value) of each filter set
    charts: list[Chart]
    map: france.FranceMap
    made_at: Any


def report_build(*, querystring: str, title: str) -> Report:
    """The dashboard under ``querystring`` (as the dashboard's address holds it), in the active
    language."""
    data = QueryDict(querystring)
    form = DashboardFilterForm(data)
    filters = form.filters()
    shown = []
    for name, value in filters.items():
        field = form.fields[name]
        labels = dict(getattr(field, "choices", []))
        shown.append((str(field.label), str(labels.get(value, value))))
    return Report(
        title=title,
        filters=shown,
        charts=dashboard.charts(filters),
        map=france.france_map(filters, data.get("measure")),
        made_at=timezone.now(),
    )


def report_pdf(*, report: Report) -> bytes:
    """The dashboard's PDF; its links (a figure's rows, a département's page) are absolute, as
    the reader opens them from a mail, not from the site."""
    return render_pdf("reporting/pdf/report.html", {"report": report}, base_url=absolute_url("/"))


def _number_format(fmt: Callable[[Any], str]) -> str | None:
    """The spreadsheet format matching a chart's own: a formatter that writes € is money, one
    that writes % a rate (asked once with a probe value)."""
    probe = fmt(Decimal("0.5"))
    if "€" in probe:
        return tabular.MONEY_FORMAT
    if "%" in probe:
        return tabular.PERCENT_FORMAT
    return None


def _chart_sheet(chart: Chart) -> tabular.Sheet:
    number_format = _number_format(chart.fmt)
    headers = ["", *(s.name for s in chart.series)]
    rows = [
        [category, *(s.values[i] if i < len(s.values) else None for s in chart.series)]
        for i, category in enumerate(chart.categories)
    ]
    formats = dict.fromkeys(range(1, len(headers)), number_format) if number_format else {}
    return tabular.Sheet(chart.title, headers, rows, formats)


def _map_sheet(report: Report) -> tabular.Sheet:
    rows = [[c.code, c.name, c.value] for c in report.map.rows]
    return tabular.Sheet(
        _("Map"),
        [_("Code"), _("Département"), report.map.measure_label],
        rows,
        {2: "0.0"},
    )


def report_xlsx(*, report: Report) -> bytes:
    """One sheet per table: the filters, each chart's figures, the map's figures."""
    filters = tabular.Sheet(
        _("Filters"),
        [_("Filter"), _("Value")],
        report.filters or [[_("Filters"), _("None")]],
    )
    sheets = [filters, *(_chart_sheet(c) for c in report.charts), _map_sheet(report)]
    buffer = io.BytesIO()
    tabular.xlsx_write(buffer, sheets)
    return buffer.getvalue()


def report_files(*, querystring: str, title: str, language: str) -> tuple[bytes, bytes]:
    """The PDF and the XLSX of one report, in the subscription's language."""
    with translation.override(language):
        report = report_build(querystring=querystring, title=title)
        return report_pdf(report=report), report_xlsx(report=report)
