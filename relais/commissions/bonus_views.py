"""Managers' internal bonuses: the bonuses employees earned through colleagues' introductions,
their approval, and the exports handed to payroll (CSV or XLSX). Apart from partners' pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.commissions import selectors
from relais.commissions.choices import EmployeeBonusStatus
from relais.commissions.services.employee_bonuses import (
    employee_bonuses_approve,
    payroll_export_create,
)
from relais.core import tabular
from relais.core.counting import CountingPaginator
from relais.core.errors import DomainError
from relais.core.http import attachment, object_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@manager_required
def bonus_list(request: HttpRequest) -> HttpResponse:
    bonuses = selectors.employee_bonuses_for_user(user=request_user(request))
    status = request.GET.get("status", EmployeeBonusStatus.PENDING)
    if status in EmployeeBonusStatus.values:
        bonuses = bonuses.filter(status=status)
    context = {
        "page": CountingPaginator(bonuses, 100).get_page(request.GET.get("page")),
        "status": status,
        "statuses": EmployeeBonusStatus.choices,
        "exports": selectors.payroll_exports_for_user(user=request_user(request))[:24],
    }
    return render(request, "commissions/employee_bonuses.html", context)


@manager_required
@require_POST
def bonus_approve(request: HttpRequest) -> HttpResponseBase:
    ids = [int(v) for v in request.POST.getlist("bonus") if v.isdigit()]
    try:
        n = employee_bonuses_approve(ids=ids, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, ngettext("%(n)s bonus approved.", "%(n)s bonuses approved.", n) % {"n": n}
        )
    return redirect("commissions:employee_bonuses")


@manager_required
@require_POST
def payroll_export_new(request: HttpRequest) -> HttpResponseBase:
    try:
        export = payroll_export_create(actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("commissions:employee_bonuses")
    messages.success(
        request, _("The approved bonuses are in payroll export %(n)s.") % {"n": export.pk}
    )
    url = reverse("commissions:employee_bonuses")
    return redirect(f"{url}?status={EmployeeBonusStatus.EXPORTED}")


HEADERS = (
    gettext_lazy("E-mail"),
    gettext_lazy("Last name"),
    gettext_lazy("First name"),
    gettext_lazy("Earned on"),
    gettext_lazy("Amount"),
    gettext_lazy("Deal amount excl. VAT"),
    gettext_lazy("Lead"),
    gettext_lazy("Brought by"),
    gettext_lazy("Rule"),
)


@manager_required
def payroll_export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The export as CSV (``?format=csv``, the default) or XLSX, downloadable again."""
    export = object_or_404(request, selectors.payroll_export_get_for_user, pk)
    headers = [str(h) for h in HEADERS]
    rows = selectors.payroll_rows(export=export)
    name = f"payroll-{export.pk}-{export.created_at:%Y%m%d}"
    if request.GET.get("format") == "xlsx":
        return attachment(tabular.xlsx_bytes(headers, rows, title="payroll"), XLSX, f"{name}.xlsx")
    return tabular.csv_response(f"{name}.csv", headers, rows)
