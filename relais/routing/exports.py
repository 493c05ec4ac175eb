"""Downloads of the routing pages: the KPI table (XLSX), the yearly review (XLSX and PDF)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.jobs import Output, Progress
from relais.core.models import BackgroundJob
from relais.core.pdf import render_pdf
from relais.core.tabular import MONEY_FORMAT, export_response
from relais.routing.kpis import Kpi
from relais.routing.review import DepartementReview, yearly_review
from relais.routing.scorecard import headings


def _pct(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _kpi_cells(k: Kpi) -> list[object]:
    return [
        k.received,
        _pct(k.open_rate),
        _pct(k.treatment_rate),
        _pct(k.closure_rate),
        _pct(k.conversion),
        k.median_open_hours,
        Decimal(k.revenue),
        k.reminders,
        k.expired,
        k.declined,
    ]


def _kpi_headers() -> list[str]:
    return [
        _("Leads received"),
        _("Open rate (%)"),
        _("Treatment rate (%)"),
        _("Closure rate (%)"),
        _("Conversion (%)"),
        _("Median time to open (hours)"),
        _("Revenue won excl. VAT"),
        _("SLA reminders"),
        _("Taken back, not opened in time"),
        _("Declined"),
    ]


REVENUE = 6  # the revenue's place among ``_kpi_cells``: formatted in €


def kpi_xlsx(table: list[Kpi]) -> StreamingHttpResponse | FileResponse:
    """The KPI table of the period asked, streamed (``core.tabular.export_response``)."""
    headers = [_("Rank"), _("Reseller"), *_kpi_headers()]
    rows = ([k.rank, k.name, *_kpi_cells(k)] for k in table)
    formats = {2 + REVENUE: MONEY_FORMAT}
    return export_response("xlsx", "reseller-kpis", headers, rows, formats)


def review_xlsx(
    year: int, reviews: list[DepartementReview]
) -> StreamingHttpResponse | FileResponse:
    headers = [
        _("Département"),
        _("Resellers"),
        _("Leads in 12 months"),
        _("To recruit"),
        _("Reseller"),
        _("Proposal"),
        _("Why"),
        _("Accepted"),
        *_kpi_headers(),
        *(h.label for h in headings()),
    ]
    rows: list[list[object]] = []
    for review in reviews:
        c = review.coverage
        head = [f"{c.code} {c.name}", c.resellers, c.leads, c.recruit]
        if not review.proposals:
            rows.append([*head, "", "", "", "", *[""] * (10 + len(headings()))])
        for p in review.proposals:
            accepted = p.decided.accepted_at.date().isoformat() if p.decided else ""
            rows.append(
                [*head, str(p.reseller), p.label, p.why, accepted, *_kpi_cells(p.kpi), *p.added]
            )
    formats = {8 + REVENUE: MONEY_FORMAT}
    return export_response("xlsx", f"yearly-review-{year}", headers, rows, formats)


def review_pdf_job(job: BackgroundJob, progress: Progress) -> Output:
    """The yearly review's PDF, made by the task worker (seconds: the year's KPIs of every
    reseller, then WeasyPrint), in the language of the manager who asked for it."""
    year = int(job.params["year"])
    progress.total(2)
    reviews = yearly_review(year)
    progress.step()
    context = {
        "year": year,
        "reviews": reviews,
        "added": headings(),
        "company": settings.RELAIS_COMPANY_NAME,
    }
    pdf = render_pdf("routing/pdf/review.html", context)
    progress.step()
    return Output(content=pdf, filename=f"review-{year}.pdf")


def accepted_message(accepted: int, undecided: int) -> str:
    done = ngettext("%(n)s proposal accepted.", "%(n)s proposals accepted.", accepted) % {
        "n": accepted
    }
    waiting = ngettext(
        "%(n)s proposal has no decision yet.", "%(n)s proposals have no decision yet.", undecided
    ) % {"n": undecided}
    return f"{done} {waiting}" if undecided else done
