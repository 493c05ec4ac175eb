"""The managers' queue of conflict-of-interest declarations."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required
from relais.core.errors import DomainError
from relais.partners import services
from relais.partners.choices import ConflictStatus
from relais.partners.forms import ReviewForm
from relais.partners.models import ConflictDeclaration


@manager_required
def declaration_queue(request: HttpRequest) -> HttpResponse:
    pending = ConflictDeclaration.objects.filter(status=ConflictStatus.PENDING).select_related(
        "partner", "declared_by"
    )
    return render(request, "partners/declarations.html", {"pending": pending, "form": ReviewForm()})


@manager_required
@require_POST
def declaration_review(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = ConflictDeclaration.objects.filter(pk=declaration_id).first()
    if declaration is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.declaration_review(
                declaration=declaration, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Declaration reviewed."))
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("partners:declarations")
