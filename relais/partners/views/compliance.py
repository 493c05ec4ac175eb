"""The managers' queue of conflict-of-interest declarations."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.http import object_or_404
from relais.partners import selectors, services
from relais.partners.choices import ConflictStatus
from relais.partners.forms import ReviewForm


@manager_required
def declaration_queue(request: HttpRequest) -> HttpResponse:
    pending = selectors.conflict_declarations_for_user(user=request_user(request)).filter(
        status=ConflictStatus.PENDING
    )
    return render(request, "partners/declarations.html", {"pending": pending, "form": ReviewForm()})


@manager_required
@require_POST
def declaration_review(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = object_or_404(
        request, selectors.conflict_declaration_get_for_user, declaration_id
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.declaration_review(
                declaration=declaration, actor=request_user(request), **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Declaration reviewed."))
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("partners:declarations")
