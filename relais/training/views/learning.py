"""The partner's "Ma formation" pages (under /portal/training/): its paths and progress, a
module to read, its quiz, an attempt's result, its certificates to download.

Partner users only, and only their own partner's: every module, attempt and certificate comes
through a ``*_get_for_partner`` read, so another partner's is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import nh3
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.csp import csp_override

from relais.accounts.decorators import partner_required, request_user
from relais.core.errors import DomainError
from relais.core.http import attachment
from relais.partners.models import Partner
from relais.partners.selectors import partner_for_user
from relais.training import certificates, progress, quiz
from relais.training.authoring import VIDEO_CSP, video_embed_url
from relais.training.choices import AttemptState
from relais.training.forms_quiz import QuizForm


def _partner(request: HttpRequest) -> Partner:
    partner = partner_for_user(request_user(request))
    if partner is None:  # a partner user not yet attached to a partner sees nothing
        raise Http404
    return partner


def _own[T](partner: Partner, lookup: Callable[..., T], pk: int) -> T:
    """The partner's own object, else a 404 (another partner's is answered as a missing one)."""
    try:
        return lookup(partner=partner, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    """Ma formation: paths and progress, modules to do (required first), done ones."""
    partner = _partner(request)
    context = {"partner": partner, "overview": progress.overview(partner)}
    return render(request, "training/learning_home.html", context)


@csp_override(VIDEO_CSP)
@partner_required
def module(request: HttpRequest, module_id: int) -> HttpResponse:
    """A module to read (text, video, document), "I have read it", and its quiz's state."""
    partner = _partner(request)
    module = _own(partner, progress.module_get_for_partner, module_id)
    if request.method == "POST":
        quiz.module_read(partner=partner, module=module)
        return redirect("learning:module", module.pk)
    context: dict[str, Any] = {
        "module": module,
        # Cleaned on save already; cleaned again here so a row written another way is harmless.
        "body": nh3.clean(module.body),
        "embed_url": video_embed_url(module.video_url) if module.video_url else None,
        "read": module.readings.filter(partner=partner, version=module.version).exists(),
        "has_quiz": module.questions.exists(),
        "status": quiz.quiz_status(partner=partner, module=module),
        "done": progress.module_done(partner, module),
        "required": module.pk
        in progress.required_modules(partner.kind).values_list("pk", flat=True),
    }
    return render(request, "training/learning_module.html", context)


@partner_required
def document(request: HttpRequest, module_id: int) -> FileResponse:
    """The module's PDF, for the partners it is meant for (media files are not served as
    such: a manager's upload reaches only the partners of its module)."""
    module = _own(_partner(request), progress.module_get_for_partner, module_id)
    if not module.document:
        raise Http404
    return FileResponse(
        module.document.open("rb"),
        content_type="application/pdf",
        filename=f"module-{module.pk}.pdf",
    )


@partner_required
def quiz_page(request: HttpRequest, module_id: int) -> HttpResponse:
    """GET: the open attempt's questions. POST ``start``: open an attempt (or find the open
    one); POST answers: score them on the server and show the result."""
    partner = _partner(request)
    module = _own(partner, progress.module_get_for_partner, module_id)
    if request.method == "POST" and "start" in request.POST:
        try:
            quiz.attempt_start(partner=partner, module=module)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("learning:module", module.pk)
        return redirect("learning:quiz", module.pk)
    attempt = quiz.quiz_status(partner=partner, module=module).open_attempt
    if attempt is None:
        if request.method == "POST":  # a submit retried after it was scored
            latest = module.attempts.filter(partner=partner).first()
            if latest is not None:
                return redirect("learning:attempt", latest.pk)
        return redirect("learning:module", module.pk)
    form = QuizForm(request.POST or None, attempt=attempt)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = quiz.attempt_submit(attempt=attempt, answers=form.answers())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("learning:attempt", attempt.pk)
    context = {"module": module, "attempt": attempt, "form": form}
    return render(
        request, "training/learning_quiz.html", context, status=422 if form.errors else 200
    )


@partner_required
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """An attempt's result: score, passed or failed, attempts left, when to try again."""
    partner = _partner(request)
    attempt = _own(partner, progress.attempt_get_for_partner, attempt_id)
    if attempt.state == AttemptState.STARTED:
        return redirect("learning:quiz", attempt.module_id)
    module = attempt.module
    certificate = module.certificates.filter(
        partner=partner, version=attempt.version, revoked_at=None
    ).first()
    context = {
        "attempt": attempt,
        "module": module,
        "status": quiz.quiz_status(partner=partner, module=module),
        "read": module.readings.filter(partner=partner, version=module.version).exists(),
        "certificate": certificate,
    }
    return render(request, "training/learning_attempt.html", context)


@partner_required
def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """The partner's own certificate as a PDF."""
    partner = _partner(request)
    certificate = _own(partner, progress.certificate_get_for_partner, certificate_id)
    return attachment(
        certificates.certificate_pdf(certificate),
        "application/pdf",
        f"certificat-{certificate.code}.pdf",
    )


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("modules/<int:module_id>/", module, name="module"),
    path("modules/<int:module_id>/document/", document, name="document"),
    path("modules/<int:module_id>/quiz/", quiz_page, name="quiz"),
    path("attempts/<int:attempt_id>/", attempt, name="attempt"),
    path("certificates/<int:certificate_id>/pdf/", certificate_pdf, name="certificate_pdf"),
]
