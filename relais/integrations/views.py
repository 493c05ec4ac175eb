"""The manager's webhook pages: endpoints (list, new, edit, secret shown once and rotated, test
event, delete) and each endpoint's delivery log with its replays."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import object_or_404
from relais.integrations import catalogue, selectors, services
from relais.integrations.forms import DeliveryFilterForm, EndpointForm, ReplaySinceForm
from relais.integrations.models import WebhookEndpoint

PAGE_SIZE = 50
# The secret just made, kept in the session for the one page that shows it.
SHOWN_ONCE = "integrations_secret"


@manager_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = selectors.endpoints_for_user(user=request_user(request))
    return render(request, "integrations/endpoints.html", {"endpoints": endpoints})


def _editor(request: HttpRequest, endpoint: WebhookEndpoint | None) -> HttpResponse:
    initial: dict[str, Any] = {"enabled": True}
    if endpoint is not None:
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "enabled": endpoint.enabled,
        }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if endpoint is None:
                endpoint = services.endpoint_create(owner=request_user(request), **data)
                request.session[SHOWN_ONCE] = [endpoint.pk, endpoint.secret]
                messages.success(request, _("Endpoint created."))
            else:
                services.endpoint_update(endpoint=endpoint, **data)
                messages.success(request, _("Endpoint saved."))
        except DomainError as exc:
            add_errors(form, exc)
        else:
            return redirect("integrations:endpoint", pk=endpoint.pk)
    context = {"form": form, "endpoint": endpoint, "catalogue": catalogue.CATALOGUE}
    status = 422 if form.errors else 200
    return render(request, "integrations/endpoint_form.html", context, status=status)


@manager_required
def endpoint_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@manager_required
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, object_or_404(request, selectors.endpoint_get_for_user, pk))


def _shown_once(request: HttpRequest, endpoint: WebhookEndpoint) -> str | None:
    kept = request.session.get(SHOWN_ONCE)
    if kept and kept[0] == endpoint.pk:
        del request.session[SHOWN_ONCE]
        return str(kept[1])
    return None


@manager_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint and its delivery log, filtered by state and event."""
    endpoint = object_or_404(request, selectors.endpoint_get_for_user, pk)
    filters = DeliveryFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    log = selectors.deliveries_of(
        endpoint=endpoint,
        state=cleaned.get("state", ""),
        event_type=cleaned.get("event_type", ""),
    )
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "endpoint": endpoint,
        "secret": _shown_once(request, endpoint),
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "replay_form": ReplaySinceForm(initial={"since": timezone.localdate()}),
        "now": timezone.now(),
    }
    return render(request, "integrations/endpoint.html", context)


@require_POST
@manager_required
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = object_or_404(request, selectors.endpoint_get_for_user, pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint)
    request.session[SHOWN_ONCE] = [endpoint.pk, secret]
    messages.success(request, _("New secret made: the previous one still signs for a while."))
    return redirect("integrations:endpoint", pk=endpoint.pk)


@require_POST
@manager_required
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = object_or_404(request, selectors.endpoint_get_for_user, pk)
    services.endpoint_send_test(endpoint=endpoint)
    messages.success(request, _("Test event queued: it appears in the log below."))
    return redirect("integrations:endpoint", pk=endpoint.pk)


@require_POST
@manager_required
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = object_or_404(request, selectors.endpoint_get_for_user, pk)
    services.endpoint_delete(endpoint=endpoint)
    messages.success(request, _("Endpoint deleted."))
    return redirect("integrations:endpoints")


@require_POST
@manager_required
def delivery_replay(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = object_or_404(request, selectors.endpoint_get_for_user, pk)
    delivery = object_or_404(
        request, lambda user, pk: selectors.delivery_get(endpoint=endpoint, pk=pk), delivery_pk
    )
    services.delivery_replay(delivery=delivery)
    messages.success(request, _("Delivery queued again."))
    return redirect("integrations:endpoint", pk=endpoint.pk)


@require_POST
@manager_required
def replay_failed(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = object_or_404(request, selectors.endpoint_get_for_user, pk)
    form = ReplaySinceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date to replay from."))
        return redirect("integrations:endpoint", pk=endpoint.pk)
    since = timezone.make_aware(datetime.combine(form.cleaned_data["since"], time.min))
    count = services.deliveries_replay_failed(endpoint=endpoint, since=since)
    queued = ngettext(
        "%(count)d failed delivery queued again.",
        "%(count)d failed deliveries queued again.",
        count,
    )
    messages.success(request, queued % {"count": count})
    return redirect("integrations:endpoint", pk=endpoint.pk)


app_name = "integrations"
urlpatterns = [
    path("webhooks/", endpoint_list, name="endpoints"),
    path("webhooks/new/", endpoint_new, name="endpoint_new"),
    path("webhooks/<int:pk>/", endpoint_detail, name="endpoint"),
    path("webhooks/<int:pk>/edit/", endpoint_edit, name="endpoint_edit"),
    path("webhooks/<int:pk>/rotate/", endpoint_rotate, name="endpoint_rotate"),
    path("webhooks/<int:pk>/test/", endpoint_test, name="endpoint_test"),
    path("webhooks/<int:pk>/delete/", endpoint_delete, name="endpoint_delete"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/",
        delivery_replay,
        name="delivery_replay",
    ),
    path("webhooks/<int:pk>/replay-failed/", replay_failed, name="replay_failed"),
]
