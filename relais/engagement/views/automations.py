"""The manager's automations: the list (trigger, delay, template, whether active, how many
sent), the editor, switching one on or off, creating the monthly digest, and each automation's
sends (partner, occasion, state, reason)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.counting import CountingPaginator
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import object_or_404
from relais.engagement import automations as engine
from relais.engagement.choices import RecipientState
from relais.engagement.forms_automations import AutomationForm
from relais.engagement.models import Automation


def _automation(request: HttpRequest, pk: int) -> Automation:
    return object_or_404(request, engine.automation_get_for_user, pk)


@manager_required
def automation_list(request: HttpRequest) -> HttpResponse:
    found = engine.automations_for_user(user=request_user(request)).order_by("name", "pk")
    rows = [(automation, engine.automation_when(automation)) for automation in found]
    return render(request, "engagement/automations.html", {"rows": rows})


def _editor(request: HttpRequest, automation: Automation | None) -> HttpResponse:
    form = AutomationForm(request.POST or None, automation=automation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = engine.automation_save(
                automation=automation, data=form.automation_data(), actor=request_user(request)
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Automation saved: the worker sends it at its next run."))
            return redirect("engagement:automation", pk=saved.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "automation": automation}
    return render(request, "engagement/automation_form.html", context, status=status)


@manager_required
def automation_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@manager_required
def automation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, _automation(request, pk))


@manager_required
def automation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    automation = _automation(request, pk)
    state = request.GET.get("state", "")
    sends = engine.automation_sends(automation)
    if state in RecipientState.values:
        sends = sends.filter(state=state)
    page = CountingPaginator(sends, 50).get_page(request.GET.get("page"))
    context = {
        "automation": automation,
        "when": engine.automation_when(automation),
        "page": page,
        "state": state,
        "states": RecipientState.choices,
    }
    return render(request, "engagement/automation.html", context)


@manager_required
@require_POST
def automation_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    automation = _automation(request, pk)
    active = request.POST.get("active") == "1"
    try:
        engine.automation_toggle(automation=automation, active=active, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = _("“%(name)s” is on.") if active else _("“%(name)s” is off: it sends nothing.")
        messages.success(request, done % {"name": automation.name})
    return redirect("engagement:automations")


@manager_required
@require_POST
def automation_digest(request: HttpRequest) -> HttpResponse:
    automation = engine.digest_automation_ensure(actor=request_user(request))
    messages.success(
        request,
        _("The monthly digest is on: every partner receives it from the 1st of each month."),
    )
    return redirect("engagement:automation", pk=automation.pk)


urlpatterns: list[URLPattern] = [
    path("automations/", automation_list, name="automations"),
    path("automations/new/", automation_new, name="automation_new"),
    path("automations/digest/", automation_digest, name="automation_digest"),
    path("automations/<int:pk>/", automation_detail, name="automation"),
    path("automations/<int:pk>/edit/", automation_edit, name="automation_edit"),
    path("automations/<int:pk>/toggle/", automation_toggle, name="automation_toggle"),
]
