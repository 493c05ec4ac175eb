"""Special operations' pages (a manager opens one and sends the invitations; each salesperson
puts forward their own contacts and tracks them) and the sales teams' sharing switch."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user, staff_required
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.network import operations as svc
from relais.network import selectors
from relais.network.operation_forms import OperationForm, TeamForm, TrackForm
from relais.network.operation_selectors import (
    nomination_for_user,
    operation_for_user,
    operation_view,
    operations_for_user,
    team_for_user,
    teams_for_user,
)


@staff_required
def operation_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = OperationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and user.can_manage and form.is_valid():
        try:
            operation = svc.operation_open(actor=user, **form.cleaned_data)
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("The operation is open: salespeople may put contacts forward.")
            )
            return redirect("network:operation", operation.pk)
    context = {"operations": operations_for_user(user=user)[:100], "form": form}
    status = (
        422 if form.errors else (403 if request.method == "POST" and not user.can_manage else 200)
    )
    return render(request, "network/operations.html", context, status=status)


@staff_required
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    operation = operation_for_user(user, pk)
    context = {"view": operation_view(user=user, operation=operation), "track_form": TrackForm}
    return render(request, "network/operation.html", context)


@staff_required
@require_POST
def operation_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """Put forward one's own relationships (ticked): nothing of a colleague's can be sent."""
    user = request_user(request)
    operation = operation_for_user(user, pk)
    done = 0
    for value in request.POST.getlist("relationship"):
        rel = selectors.relationship_of_owner(user, int(value)) if value.isdigit() else None
        if rel is None:
            continue
        try:
            svc.operation_nominate(operation=operation, actor=user, relationship=rel)
            done += 1
        except DomainError as exc:
            messages.error(request, f"{rel.contact}: {exc.message}")
    if done:
        messages.success(
            request,
            ngettext("%(n)s contact put forward.", "%(n)s contacts put forward.", done)
            % {"n": done},
        )
    return redirect("network:operation", pk)


@manager_required
@require_POST
def operation_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    operation = operation_for_user(user, pk)
    try:
        if request.POST.get("action") == "invite":
            n = svc.operation_invitations_send(operation=operation, actor=user)
            messages.success(
                request, ngettext("%(n)s invitation sent.", "%(n)s invitations sent.", n) % {"n": n}
            )
        elif request.POST.get("action") == "close":
            svc.operation_close(operation=operation, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("network:operation", pk)


@staff_required
@require_POST
def nomination_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Track one contact put forward (its answer, attendance, outcome), or withdraw it."""
    user = request_user(request)
    nomination = nomination_for_user(user, pk)
    try:
        if request.POST.get("action") == "withdraw":
            svc.nomination_withdraw(nomination=nomination, actor=user)
        else:
            form = TrackForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choose the invitation, attendance and outcome."))
            svc.nomination_track(nomination=nomination, actor=user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, f"{nomination.contact}: {exc.message}")
    return redirect("network:operation", nomination.operation_id)


@manager_required
def team_list(request: HttpRequest) -> HttpResponse:
    """Sales teams and their sharing switch: a pilot team first, then everyone."""
    user = request_user(request)
    form = TeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.team_create(
                actor=user,
                name=form.cleaned_data["name"],
                members=list(form.cleaned_data["members"]),
                sharing=form.cleaned_data["sharing"],
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            return redirect("network:teams")
    context = {"teams": teams_for_user(user=user), "form": form}
    return render(request, "network/teams.html", context, status=422 if form.errors else 200)


@manager_required
@require_POST
def team_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_for_user(request_user(request), pk)
    on = request.POST.get("sharing") == "on"
    svc.team_sharing_set(team=team, actor=request_user(request), enabled=on)
    if on:
        messages.success(request, _("Sharing is on for %(team)s.") % {"team": team})
    else:
        messages.success(
            request,
            _("Sharing is off for %(team)s: its members' relationships stay with them.")
            % {"team": team},
        )
    return redirect("network:teams")


urlpatterns: list[URLPattern] = [
    path("operations/", operation_list, name="operations"),
    path("operations/<int:pk>/", operation_detail, name="operation"),
    path("operations/<int:pk>/nominate/", operation_nominate, name="operation_nominate"),
    path("operations/<int:pk>/action/", operation_action, name="operation_action"),
    path("nominations/<int:pk>/", nomination_update, name="nomination"),
    path("teams/", team_list, name="teams"),
    path("teams/<int:pk>/sharing/", team_sharing, name="team_sharing"),
]
