"""The account plan's page (strategy, buying centre with who knows whom, gaps, next steps) and
its PDF for the account review. Accounts are company data: every staff member reaches them;
who knows whom is shown as the reader may see it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import request_user, staff_required
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import attachment, object_or_404
from relais.core.pdf import render_pdf
from relais.network import plans as svc
from relais.network import selectors
from relais.network.choices import BuyingRole
from relais.network.models import Account
from relais.network.plan_forms import CentreForm, PlanForm, StepForm
from relais.network.plan_selectors import (
    buying_centre_entry_for_user,
    plan_step_for_user,
    plan_view,
)


def _page(
    request: HttpRequest, account: Account, status: int = 200, **forms: object
) -> HttpResponse:
    view = plan_view(user=request_user(request), account=account)
    plan = view.plan
    initial = (
        {"strategy": plan.strategy, "objectives": plan.objectives, "owner": plan.owner_id}
        if plan
        else {"owner": request_user(request).pk}
    )
    context = {
        "view": view,
        "account": account,
        "plan_form": forms.get("plan_form") or PlanForm(initial=initial),
        "centre_form": forms.get("centre_form") or CentreForm(account=account),
        "step_form": forms.get("step_form") or StepForm(),
        "roles": BuyingRole.choices,
    }
    return render(request, "network/plan.html", context, status=status)


@staff_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    account = selectors.account_for_user(user, pk)
    if request.method != "POST":
        return _page(request, account)
    form = PlanForm(request.POST)
    if form.is_valid():
        plan = svc.account_plan_ensure(account=account, actor=user)
        try:
            svc.account_plan_update(plan=plan, actor=user, **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Account plan saved."))
            return redirect("network:plan", pk)
    return _page(request, account, 422, plan_form=form)


@staff_required
@require_POST
def centre_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    account = selectors.account_for_user(user, pk)
    form = CentreForm(request.POST, account=account)
    if form.is_valid():
        plan = svc.account_plan_ensure(account=account, actor=user)
        try:
            svc.buying_centre_set(plan=plan, actor=user, **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            return redirect("network:plan", pk)
    return _page(request, account, 422, centre_form=form)


@staff_required
@require_POST
def centre_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = object_or_404(request, buying_centre_entry_for_user, pk)
    account_id = entry.plan.account_id
    svc.buying_centre_remove(entry=entry, actor=request_user(request))
    return redirect("network:plan", account_id)


@staff_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    account = selectors.account_for_user(user, pk)
    form = StepForm(request.POST)
    if form.is_valid():
        plan = svc.account_plan_ensure(account=account, actor=user)
        try:
            svc.plan_step_add(plan=plan, actor=user, **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            return redirect("network:plan", pk)
    return _page(request, account, 422, step_form=form)


@staff_required
@require_POST
def step_done(request: HttpRequest, pk: int) -> HttpResponse:
    step = object_or_404(request, plan_step_for_user, pk)
    svc.plan_step_done(step=step, actor=request_user(request), done=request.POST.get("done") != "0")
    return redirect("network:plan", step.plan.account_id)


@staff_required
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan for the account review meeting, as the reader may see who knows whom."""
    user = request_user(request)
    account = selectors.account_for_user(user, pk)
    view = plan_view(user=user, account=account)
    if view.plan is None:
        raise Http404
    context = {
        "view": view,
        "account": account,
        "company": settings.RELAIS_COMPANY_NAME,
        "printed": timezone.localtime(),
        "reader": user,
    }
    pdf = render_pdf("network/pdf/plan.html", context, language=request.LANGUAGE_CODE)
    day = timezone.localdate().isoformat()
    return attachment(pdf, "application/pdf", f"account-plan-{account.pk}-{day}.pdf")


urlpatterns: list[URLPattern] = [
    path("accounts/<int:pk>/plan/", plan_page, name="plan"),
    path("accounts/<int:pk>/plan.pdf", plan_pdf, name="plan_pdf"),
    path("accounts/<int:pk>/plan/centre/", centre_add, name="plan_centre_add"),
    path("accounts/<int:pk>/plan/steps/", step_add, name="plan_step_add"),
    path("plan-centre/<int:pk>/remove/", centre_remove, name="plan_centre_remove"),
    path("plan-steps/<int:pk>/done/", step_done, name="plan_step_done"),
]
