"""One chart definition, rendered as SVG on the server (in core, so that the manager's
dashboard in ``reporting`` and the partners' portal, peers that may not import each other,
draw the same charts): the same markup in the page (hover
values through each mark's <title>, each mark a link to its rows) and in a PDF or an e-mail
(WeasyPrint and mail clients draw inline SVG). Colours are presentation attributes, not styles,
so the strict CSP needs no nonce and a copy of the SVG outside the page keeps them.

Three kinds cover the dashboard: ``bars`` (grouped columns per category), ``line`` (a series
per line) and ``hbars`` (one horizontal bar per category: a funnel, a top ten). The figures
also go into a table (``reporting/partials/_chart.html``), the chart's text alternative."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from relais.core.formatting import format_money, format_number

# Okabe–Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f")
INK, GRID = "#333333", "#d9d9d9"
Number = int | float | Decimal
NONE = "—"  # a value that does not exist (an NPS with no answer), drawn as a gap


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]
    links: Sequence[str] = ()  # one URL per value: the rows behind it ("" for none)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # "bars", "line" or "hbars"
    categories: Sequence[str]
    series: Sequence[Series]
    fmt: Callable[[Number], str] = field(default=format_number)
    # A fixed value axis (bottom, top), e.g. an NPS's −100 to 100; else 0 to a round maximum.
    span: tuple[float, float] | None = None

    def rows(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The table: per category, each series' (formatted value, link)."""
        return [
            (
                category,
                [
                    (_shown(self, s.values[i]), s.links[i] if i < len(s.links) else "")
                    for s in self.series
                ],
            )
            for i, category in enumerate(self.categories)
        ]

    def table(self) -> SafeString:
        """The figures as a table's head and body, built in one pass (a template's loops
        over seven charts' cells cost more than their queries)."""
        head = format_html_join("", '<th scope="col">{}</th>', ((s.name,) for s in self.series))
        rows = []
        for category, cells in self.rows():
            tds = format_html_join(
                "",
                '<td class="num">{}</td>',
                (
                    (format_html('<a href="{}">{}</a>', link, v) if link else v,)
                    for v, link in cells
                ),
            )
            rows.append(format_html('<tr><th scope="row">{}</th>{}</tr>', category, tds))
        return format_html(
            '<thead><tr><th scope="col"></th>{}</tr></thead><tbody>{}</tbody>',
            head,
            mark_safe("".join(rows)),  # noqa: S308 - each row built by format_html
        )

    @property
    def empty(self) -> bool:
        if self.span is not None:  # on a fixed axis 0 is a value like another
            return all(v is None for s in self.series for v in s.values)
        return not any(v for s in self.series for v in s.values)

    def svg(self) -> SafeString:
        draw = {"bars": _bars, "line": _line, "hbars": _hbars}[self.kind]
        return mark_safe(draw(self))  # noqa: S308 - built from escaped parts only


def _shown(chart: Chart, value: Number | None) -> str:
    return NONE if value is None else chart.fmt(value)


def _nice(top: float) -> float:
    """A round axis maximum at or above ``top``: 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return 1.0
    power = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if step * power >= top:
            return float(step * power)
    return float(10 * power)


def _mark(shape: str, title: str, link: str) -> str:
    inner = f"{shape[:-2]}><title>{escape(title)}</title></{shape.split()[0][1:]}>"
    return f'<a href="{escape(link)}">{inner}</a>' if link else inner


def _open(chart: Chart, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind}" '
        f'viewBox="0 0 {width} {height}" role="group" aria-labelledby="{chart.key}-title" '
        f'font-family="sans-serif" font-size="15" fill="{INK}">'
        f'<title id="{chart.key}-title">{escape(chart.title)}</title>'
    )


LEGEND_ROW = 20


def _legend_rows(chart: Chart, width: int) -> list[list[tuple[int, int, str]]]:
    """The legend's entries as (x, series index, name), wrapped to the chart's width."""
    rows: list[list[tuple[int, int, str]]] = [[]]
    x = 40
    for n, s in enumerate(chart.series):
        size = 28 + 9 * len(s.name)
        if rows[-1] and x + size > width:
            rows.append([])
            x = 40
        rows[-1].append((x, n, s.name))
        x += size
    return rows


def _legend(chart: Chart, y: int, width: int = 480) -> str:
    """The legend from ``y`` down, a row per line (``_legend_rows``)."""
    parts = []
    for r, row in enumerate(_legend_rows(chart, width)):
        line = y + LEGEND_ROW * r
        for x, n, name in row:
            colour = PALETTE[n % len(PALETTE)]
            parts.append(
                f'<rect x="{x}" y="{line - 9}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="{line}">{escape(name)}</text>'
            )
    return "".join(parts)


def _frame(chart: Chart, top: float, bottom: float, width: int, height: int) -> tuple[int, int]:
    """The plot's left edge (room for the widest axis label, ~8 px a character at 15 px) and
    the height with the legend's extra rows."""
    n = _ticks(top - bottom, chart.fmt)
    widest = max(len(chart.fmt(bottom + (top - bottom) * i / n)) for i in range(n + 1))
    extra = LEGEND_ROW * (len(_legend_rows(chart, width)) - 1)
    return max(70, 8 * widest + 14), height + extra


def _ticks(top: float, fmt: Callable | None = None) -> int:
    """Gridlines that fall on round values: 2 in halves, 1, 5 and 10 in fifths; a count's
    axis up to 5 in ones (a partner's 1 lead a month is not drawn against 0.2, 0.4…)."""
    if fmt is format_number and 0 < top <= 5:
        return int(top)
    return 4 if str(int(top)).startswith("2") else 5


def _axis(
    top: float, left: int, right: int, y0: int, y1: int, fmt: Callable, bottom: float = 0.0
) -> str:
    parts, n = [], _ticks(top - bottom, fmt)
    for i in range(n + 1):
        value = bottom + (top - bottom) * i / n
        y = y0 - (y0 - y1) * i / n
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>'
        )
    return "".join(parts)


def _labels(chart: Chart, left: int, step: float, y: int) -> str:
    # At most six labels, so a phone's narrow chart stays legible.
    every = -(-len(chart.categories) // 6)
    return "".join(
        f'<text x="{left + step * (i + 0.5):.1f}" y="{y}" text-anchor="middle">{escape(c)}</text>'
        for i, c in enumerate(chart.categories)
        if i % every == 0
    )


def _top(chart: Chart) -> float:
    values = (v for s in chart.series for v in s.values if v is not None)
    return _nice(float(max(values, default=0)))


def _bars(chart: Chart, width: int = 480, height: int = 260) -> str:
    top, n = _top(chart), max(1, len(chart.categories))
    left, full = _frame(chart, top, 0.0, width, height)
    right, y0, y1 = width - 10, height - 44, 24
    step = (right - left) / n
    bar = step * 0.8 / max(1, len(chart.series))
    parts = [_open(chart, width, full), _axis(top, left, right, y0, y1, chart.fmt)]
    for k, s in enumerate(chart.series):
        colour = PALETTE[k % len(PALETTE)]
        for i, value in enumerate(s.values):
            h = (y0 - y1) * float(value or 0) / top
            x = left + step * i + step * 0.1 + bar * k
            link = s.links[i] if i < len(s.links) else ""
            title = f"{s.name} · {chart.categories[i]}: {_shown(chart, value)}"
            box = f'x="{x:.1f}" y="{y0 - h:.1f}" width="{bar:.1f}" height="{h:.1f}"'
            shape = f'<rect {box} fill="{colour}"/>'
            parts.append(_mark(shape, title, link))
    parts += [_labels(chart, left, step, y0 + 18), _legend(chart, height - 6, width), "</svg>"]
    return "".join(parts)


def _line(chart: Chart, width: int = 480, height: int = 260) -> str:
    bottom, top = chart.span or (0.0, _top(chart))
    left, full = _frame(chart, top, bottom, width, height)
    right, y0, y1 = width - 10, height - 44, 24
    n = max(1, len(chart.categories))
    step = (right - left) / n
    axis = _axis(top, left, right, y0, y1, chart.fmt, bottom)
    parts = [_open(chart, width, full), axis]
    for k, s in enumerate(chart.series):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (i, left + step * (i + 0.5), y0 - (y0 - y1) * (float(v) - bottom) / (top - bottom))
            for i, v in enumerate(s.values)
            if v is not None
        ]
        for run in _runs(points):  # a missing value breaks the line
            path = " ".join(f"{x:.1f},{y:.1f}" for _i, x, y in run)
            line = f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            parts.append(line)
        for i, x, y in points:
            link = s.links[i] if i < len(s.links) else ""
            title = f"{s.name} · {chart.categories[i]}: {_shown(chart, s.values[i])}"
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
            parts.append(_mark(shape, title, link))
    parts += [_labels(chart, left, step, y0 + 18), _legend(chart, height - 6, width), "</svg>"]
    return "".join(parts)


def _runs(points: list[tuple[int, float, float]]) -> list[list[tuple[int, float, float]]]:
    """The points in runs of consecutive categories."""
    runs: list[list[tuple[int, float, float]]] = []
    for point in points:
        if runs and runs[-1][-1][0] == point[0] - 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _hbars(chart: Chart, width: int = 480) -> str:
    row, left, right = 26, 170, width - 70
    height = 10 + row * max(1, len(chart.categories))
    top = float(max((v or 0 for s in chart.series for v in s.values), default=0)) or 1.0
    s = chart.series[0] if chart.series else Series("", ())
    parts = [_open(chart, width, height)]
    for i, (category, value) in enumerate(zip(chart.categories, s.values, strict=True)):
        y = 5 + row * i
        w = max(1.0, (right - left) * float(value or 0) / top)
        link = s.links[i] if i < len(s.links) else ""
        label = category if len(category) <= 20 else category[:19] + "…"
        shape = f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{PALETTE[0]}"/>'
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            + _mark(shape, f"{category}: {_shown(chart, value)}", link)
            + f'<text x="{left + w + 4:.1f}" y="{y + 13}">{escape(_shown(chart, value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def last_months(n: int = 12) -> list[date]:
    """The first days of the last ``n`` months, this one last (Paris time)."""
    this = timezone.localdate().replace(day=1)
    k = this.year * 12 + this.month - 1
    return [date((k - i) // 12, (k - i) % 12 + 1, 1) for i in range(n - 1, -1, -1)]


def month_label(month: date) -> str:
    return date_format(month, "M y")


def whole_euros(value: Any) -> str:
    """Whole euros: a chart's axis and bars need no cents."""
    return format_money(Decimal(value or 0).quantize(Decimal(1)), whole=True)
