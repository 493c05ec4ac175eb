"""The commission lists as CSV/XLSX (``core.tabular.export_response``): the rows the list
shows under its filters, read in chunks, amounts as numbers in € in the spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from relais.commissions.models import CommissionLine, PaymentRun
from relais.core.tabular import MONEY_FORMAT


def line_headers() -> list[str]:
    return [
        _("Line"),
        _("Date"),
        _("Partner"),
        _("Kind"),
        _("Lead"),
        _("Rule"),
        _("Base excl. VAT"),
        _("Amount"),
        _("Status"),
        _("On hold"),
    ]


LINE_FORMATS = {6: MONEY_FORMAT, 7: MONEY_FORMAT}


def line_rows(lines: QuerySet[CommissionLine]) -> Iterator[list[Any]]:
    for line in lines.iterator(chunk_size=2000):
        yield [
            line.pk,
            line.earned_on,
            str(line.partner),
            line.get_kind_display(),
            line.lead_id,
            str(line.rule) if line.rule_id else "",
            line.base,
            line.amount,
            line.get_status_display(),
            line.hold_reason,
        ]


def run_headers() -> list[str]:
    return [
        _("Payment run"),
        _("Lines earned up to"),
        _("Payment date"),
        _("Status"),
        _("Total"),
        _("Blocked partners"),
    ]


RUN_FORMATS = {4: MONEY_FORMAT}


def run_rows(runs: QuerySet[PaymentRun]) -> Iterator[list[Any]]:
    for run in runs.iterator(chunk_size=500):
        yield [
            run.pk,
            run.cutoff,
            run.execution_date,
            run.get_status_display(),
            run.total,
            len(run.blocked),
        ]
