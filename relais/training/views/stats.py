"""The manager's training figures: completion per module, path, segment and département, who is
blocked by a missing required module, and their CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.decorators import manager_required, request_user
from relais.core import tabular
from relais.training.selectors import TrainingStats, stats_by_kind, training_stats


def _group_labels() -> dict[str, str]:
    return {
        "module": _("Module"),
        "path": _("Path"),
        "segment": _("Segment"),
        "departement": _("Département"),
    }


@manager_required
def stats_page(request: HttpRequest) -> HttpResponse:
    stats = training_stats(user=request_user(request))
    context = {"stats": stats, "now": timezone.now()}
    return render(request, "training/stats.html", context)


def _rate_rows(stats: TrainingStats) -> Iterator[list[Any]]:
    labels = _group_labels()
    for kind, rates in stats_by_kind(stats).items():
        for rate in rates:
            yield [labels[kind], rate.label, rate.partners, rate.completed, rate.percent]


def _blocked_rows(stats: TrainingStats) -> Iterator[list[Any]]:
    for entry in stats.blocked:
        yield [
            entry.partner.display_name,
            entry.partner.get_kind_display(),
            entry.partner.get_status_display(),
            ", ".join(m.title for m in entry.missing),
            _("Blocked") if entry.blocked else _("Within the grace period"),
            timezone.localtime(entry.blocked_from).date() if entry.blocked_from else "",
        ]


@manager_required
def stats_export(request: HttpRequest) -> HttpResponseBase:
    """``?table=rates|blocked&format=csv|xlsx``: the page's tables as a file."""
    stats = training_stats(user=request_user(request), blocked_limit=100_000)
    if request.GET.get("table") == "blocked":
        headers = [
            _("Partner"),
            _("Kind"),
            _("Status"),
            _("Missing modules"),
            _("State"),
            _("Blocked from"),
        ]
        rows, name = list(_blocked_rows(stats)), "training-blocked"
    else:
        headers = [_("Group"), _("Name"), _("Partners"), _("Completed"), _("Rate (%)")]
        rows, name = list(_rate_rows(stats)), "training-completion"
    return tabular.export_response(request.GET.get("format", ""), name, headers, rows)


urlpatterns: list[URLPattern] = [
    path("stats/", stats_page, name="stats"),
    path("stats/export/", stats_export, name="stats_export"),
]
