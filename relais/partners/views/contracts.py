"""Contract templates (versions, risk warnings) and signed PDFs, for managers."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.partners import services
from relais.partners.forms import TemplateForm
from relais.partners.models import ContractTemplate
from relais.partners.pdf import signature_response
from relais.partners.selectors import current_template, signature_of_partner
from relais.partners.views.common import get_partner_for_user


@manager_required
def template_list(request: HttpRequest) -> HttpResponse:
    templates = ContractTemplate.objects.order_by("kind", "-version")
    return render(request, "partners/templates.html", {"templates": templates})


@manager_required
def template_new_version(request: HttpRequest, kind: str) -> HttpResponse:
    current = current_template(kind)
    if current is None:
        raise Http404
    form = TemplateForm(
        request.POST or None,
        initial={
            "title": current.title,
            "body": current.body,
            "valid_months": current.valid_months,
        },
    )
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        warnings = services.template_warnings(form.cleaned_data["body"])
        # Warnings are shown first; publishing anyway is an explicit second click.
        if request.POST.get("action") == "publish" and (
            not warnings or request.POST.get("confirm")
        ):
            try:
                template = services.template_publish(
                    kind=kind, actor=request_user(request), **form.cleaned_data
                )
            except DomainError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(template)s published: partners are asked to sign it.")
                    % {"template": template},
                )
                return redirect("partners:templates")
    context = {"form": form, "current": current, "warnings": warnings}
    status = 422 if form.errors else 200
    return render(request, "partners/template_form.html", context, status=status)


@manager_required
def signature_download(request: HttpRequest, pk: int, signature_id: int) -> HttpResponse:
    partner = get_partner_for_user(request, pk)
    return signature_response(signature_of_partner(partner, signature_id))
