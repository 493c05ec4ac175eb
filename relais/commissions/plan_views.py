"""Managers' plan editor: the plans, a new plan, a draft's rules, the next version of an active
plan from a date, its simulation and activation. The Django admin stays for administrators."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.commissions import selectors
from relais.commissions.choices import PlanStatus
from relais.commissions.forms import SimulateForm
from relais.commissions.models import Plan, Rule
from relais.commissions.plan_forms import PlanForm, RuleForm, VersionForm
from relais.commissions.services import plans as editing
from relais.commissions.services.rules import plan_activate
from relais.commissions.simulator import simulate
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import object_or_404

# The rule form, in the order a manager thinks of it.
RULE_GROUPS = (
    (gettext_lazy("The rule"), ("name", "code", "trigger", "beneficiary")),
    (
        gettext_lazy("How much"),
        ("formula", "amount", "rate", "tiers", "tier_basis", "period", "target"),
    ),
    (gettext_lazy("Whom it applies to"), ("partner_kind", "group", "category", "partner")),
    (gettext_lazy("Caps and dates"), ("cap_per_deal", "cap_per_year", "valid_from", "valid_until")),
)


def _plan(request: HttpRequest, pk: int) -> Plan:
    return object_or_404(request, selectors.plan_get_for_user, pk)


def _rule(request: HttpRequest, plan: Plan, rule_id: int) -> Rule:
    return object_or_404(request, partial(selectors.rule_get_for_user, plan=plan), rule_id)


@manager_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = (
        selectors.plans_for_user(user=request_user(request))
        .select_related("replaces")
        .annotate(n_rules=Count("rules"))
    )
    return render(request, "commissions/plans.html", {"plans": plans})


@manager_required
def plan_new(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = editing.plan_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                actor=request_user(request),
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Draft plan created: add its rules."))
            return redirect("commissions:plan", pk=plan.pk)
    context = {"form": form, "plan": None}
    status = 422 if form.errors else 200
    return render(request, "commissions/plan_form.html", context, status=status)


@manager_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, _("Only a draft is edited; make a new version instead."))
        return redirect("commissions:plan", pk=plan.pk)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            editing.plan_update(
                plan=plan,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                actor=request_user(request),
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            return redirect("commissions:plan", pk=plan.pk)
    status = 422 if form.errors else 200
    return render(
        request, "commissions/plan_form.html", {"form": form, "plan": plan}, status=status
    )


def _simulations(plan: Plan, form: SimulateForm) -> dict[str, Any]:
    """What the plan would have paid on the period; a new version is tried as if in force over
    the whole period, beside the rules it replaces tried the same way."""
    if not (form.is_bound and form.is_valid()):
        return {"result": None, "compared": None}
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if plan.replaces is None or plan.starts_on is None:
        return {"result": simulate(plan, start, end), "compared": None}
    now = editing.current_rules(plan.replaces, plan.starts_on)
    return {
        "result": simulate(plan, start, end, whole_period=True),
        "compared": simulate(plan.replaces, start, end, rules=now, whole_period=True),
    }


@manager_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if request.method == "POST":
        try:
            active = plan_activate(plan=plan, actor=request_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if active.pk != plan.pk:
                messages.success(
                    request, _("New version activated: its rules apply from its date.")
                )
            else:
                messages.success(request, _("Plan activated."))
            return redirect("commissions:plan", pk=active.pk)
        return redirect("commissions:plan", pk=plan.pk)
    form = SimulateForm(request.GET or None)
    context = {
        "plan": plan,
        "rules": plan.rules.select_related("category", "partner").order_by("code", "-version"),
        "form": form,
        **_simulations(plan, form),
        "version_form": VersionForm() if plan.status == PlanStatus.ACTIVE else None,
        "drafts": plan.next_versions.all() if plan.status == PlanStatus.ACTIVE else [],
    }
    return render(request, "commissions/plan.html", context)


@require_POST
@manager_required
def plan_discard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    back = plan.replaces_id
    try:
        editing.plan_discard(plan=plan, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("commissions:plan", pk=plan.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("commissions:plan", pk=back) if back else redirect("commissions:plans")


@require_POST
@manager_required
def plan_version(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("commissions:plan", pk=plan.pk)
    try:
        draft = editing.plan_new_version(
            plan=plan, starts_on=form.cleaned_data["starts_on"], actor=request_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("commissions:plan", pk=plan.pk)
    messages.success(request, _("Draft of the new version: change its rules, simulate, activate."))
    return redirect("commissions:plan", pk=draft.pk)


def _rule_page(request: HttpRequest, plan: Plan, form: RuleForm, rule: Rule | None) -> HttpResponse:
    groups = [(legend, [form[name] for name in names]) for legend, names in RULE_GROUPS]
    context = {"plan": plan, "form": form, "rule": rule, "groups": groups}
    status = 422 if form.errors else 200
    return render(request, "commissions/rule_form.html", context, status=status)


def _editable(request: HttpRequest, plan: Plan) -> bool:
    if plan.status == PlanStatus.DRAFT:
        return True
    messages.error(request, _("An active plan's rules change through a new version."))
    return False


@manager_required
def rule_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not _editable(request, plan):
        return redirect("commissions:plan", pk=plan.pk)
    version_of = plan.replaces
    initial = {"valid_from": plan.starts_on} if plan.starts_on else {}
    form = RuleForm(request.POST or None, initial=initial, version_of=version_of)
    if request.method == "POST" and form.is_valid():
        try:
            editing.rule_create(plan=plan, fields=form.rule_fields(), actor=request_user(request))
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Rule added."))
            return redirect("commissions:plan", pk=plan.pk)
    return _rule_page(request, plan, form, None)


@manager_required
def rule_edit(request: HttpRequest, pk: int, rule_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    rule = _rule(request, plan, rule_id)
    if not _editable(request, plan):
        return redirect("commissions:plan", pk=plan.pk)
    form = RuleForm(request.POST or None, instance=rule, version_of=plan.replaces)
    if request.method == "POST" and form.is_valid():
        try:
            editing.rule_update(rule=rule, fields=form.rule_fields(), actor=request_user(request))
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("commissions:plan", pk=plan.pk)
    return _rule_page(request, plan, form, rule)


@require_POST
@manager_required
def rule_delete(request: HttpRequest, pk: int, rule_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    rule = _rule(request, plan, rule_id)
    try:
        editing.rule_delete(rule=rule, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rule removed from the draft."))
    return redirect("commissions:plan", pk=plan.pk)
