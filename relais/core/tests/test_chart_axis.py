"""A count's value axis says whole numbers: a partner's one lead a month is drawn against 0 and
1, not 0.2, 0.4…; amounts and larger counts keep their round fifths."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

from django.utils import translation

from relais.core.charts import Chart, Series
from relais.core.formatting import format_money


def _axis_labels(chart: Chart) -> list[str]:
    svg = unescape(str(chart.svg()))
    return re.findall(r'text-anchor="end">([^<]*)</text>', svg)


def _chart(values, **kw) -> Chart:
    return Chart("c", "Leads", "bars", ["Jan", "Feb"], [Series("Passed on", values)], **kw)


def test_a_small_count_is_drawn_against_whole_numbers():
    with translation.override("fr"):
        assert _axis_labels(_chart([1, 0])) == ["0", "1"]
        assert _axis_labels(_chart([2, 1])) == ["0", "1", "2"]
        assert _axis_labels(_chart([4, 1])) == ["0", "1", "2", "3", "4", "5"]


def test_larger_counts_and_amounts_keep_round_fifths():
    with translation.override("fr"):
        assert _axis_labels(_chart([40, 3])) == ["0", "10", "20", "30", "40", "50"]
        money = _axis_labels(_chart([2, 1], fmt=lambda v: format_money(Decimal(str(v)), "fr")))
        assert len(money) == 5  # 0 to 2 € in halves
