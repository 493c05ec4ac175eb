"""The manager's CRM integrations pages (beside the webhook endpoints'): list, new (the secret
shown once), each one's webhook address, secret rotation, on/off, and the pushes it received
with what became of them."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import absolute_url, object_or_404
from relais.integrations import crm, selectors
from relais.integrations.forms import CrmIntegrationForm
from relais.integrations.models import CrmIntegration

PAGE_SIZE = 50
SHOWN_ONCE = "integrations_crm_secret"  # the secret just made, for the one page that shows it


@manager_required
def crm_list(request: HttpRequest) -> HttpResponse:
    integrations = selectors.crm_integrations_for_user(user=request_user(request))
    return render(request, "integrations/crm_list.html", {"integrations": integrations})


@manager_required
def crm_new(request: HttpRequest) -> HttpResponse:
    form = CrmIntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = crm.crm_integration_create(**form.cleaned_data, actor=request_user(request))
        except DomainError as exc:
            add_errors(form, exc)
        else:
            request.session[SHOWN_ONCE] = [made.pk, made.secret]
            messages.success(request, _("CRM integration created."))
            return redirect("integrations:crm", pk=made.pk)
    status = 422 if form.errors else 200
    return render(request, "integrations/crm_form.html", {"form": form}, status=status)


def _shown_once(request: HttpRequest, integration: CrmIntegration) -> str | None:
    kept = request.session.get(SHOWN_ONCE)
    if kept and kept[0] == integration.pk:
        del request.session[SHOWN_ONCE]
        return str(kept[1])
    return None


@manager_required
def crm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    integration = object_or_404(request, selectors.crm_integration_get_for_user, pk)
    pushes = selectors.crm_pushes_of(integration=integration)
    page = Paginator(pushes, PAGE_SIZE).get_page(request.GET.get("page"))
    hook = reverse("integrations:crm_webhook", kwargs={"key": integration.key})
    context = {
        "integration": integration,
        "secret": _shown_once(request, integration),
        "webhook_url": absolute_url(hook, request),
        "page": page,
    }
    return render(request, "integrations/crm.html", context)


@require_POST
@manager_required
def crm_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    integration = object_or_404(request, selectors.crm_integration_get_for_user, pk)
    secret = crm.crm_integration_rotate_secret(integration=integration)
    request.session[SHOWN_ONCE] = [integration.pk, secret]
    messages.success(
        request, _("New secret made: give it to the CRM, the old one no longer signs.")
    )
    return redirect("integrations:crm", pk=integration.pk)


@require_POST
@manager_required
def crm_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    integration = object_or_404(request, selectors.crm_integration_get_for_user, pk)
    crm.crm_integration_enable(integration=integration, enabled=not integration.enabled)
    if integration.enabled:
        messages.success(request, _("CRM integration enabled."))
    else:
        messages.success(request, _("CRM integration disabled: its pushes are refused."))
    return redirect("integrations:crm", pk=integration.pk)


urlpatterns: list[URLPattern] = [
    path("crm/", crm_list, name="crms"),
    path("crm/new/", crm_new, name="crm_new"),
    path("crm/<int:pk>/", crm_detail, name="crm"),
    path("crm/<int:pk>/rotate/", crm_rotate, name="crm_rotate"),
    path("crm/<int:pk>/toggle/", crm_toggle, name="crm_toggle"),
]
