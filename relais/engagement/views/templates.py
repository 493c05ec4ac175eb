"""The manager's e-mail templates: the list, the editor (French and English, the merge fields
listed beside it with what each says), and deletion of a template nothing uses."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import object_or_404
from relais.engagement import template_services
from relais.engagement.campaign_selectors import (
    message_template_get_for_user,
    message_template_list,
)
from relais.engagement.forms import MessageTemplateForm
from relais.engagement.merge import MERGE_FIELDS
from relais.engagement.models import MessageTemplate


@manager_required
def template_list(request: HttpRequest) -> HttpResponse:
    templates = message_template_list(user=request_user(request))
    return render(request, "engagement/templates.html", {"templates": templates})


def _editor(request: HttpRequest, template: MessageTemplate) -> HttpResponse:
    """The editor of a new (unsaved) or existing template; saved, back to the list."""
    is_new = template.pk is None
    form = MessageTemplateForm(request.POST or None, instance=None if is_new else template)
    if request.method == "POST" and form.is_valid():
        try:
            template_services.message_template_save(
                template=template, data=form.cleaned_data, actor=request_user(request)
            )
        except (ValidationError, DomainError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("engagement:templates")
    context = {
        "form": form,
        "template": None if is_new else template,
        "merge_fields": [("{{ " + name + " }}", text) for name, text in MERGE_FIELDS.items()],
        "merge_example": "{{ first_name }}",
        "merge_condition": "{% if leads_this_year %}…{% endif %}",
    }
    status = 422 if form.errors else 200
    return render(request, "engagement/template_form.html", context, status=status)


@manager_required
def template_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, MessageTemplate())


@manager_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, object_or_404(request, message_template_get_for_user, pk))


@require_POST
@manager_required
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = object_or_404(request, message_template_get_for_user, pk)
    try:
        template_services.message_template_delete(template=template, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("engagement:template_edit", pk=template.pk)
    messages.success(request, _("Template deleted."))
    return redirect("engagement:templates")


urlpatterns: list[URLPattern] = [
    path("templates/", template_list, name="templates"),
    path("templates/new/", template_new, name="template_new"),
    path("templates/<int:pk>/", template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", template_delete, name="template_delete"),
]
