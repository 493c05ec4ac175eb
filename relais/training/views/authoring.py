"""The manager's training pages: modules (the editor with a live preview of the cleaned text,
the video, the PDF, the audience, the quiz settings, the requirement), the quiz editor, "everyone
takes it again", and paths. Thin: parse, call ``authoring``, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.forms import add_errors
from relais.core.http import object_or_404
from relais.training import authoring, selectors
from relais.training.forms import ConfirmForm, ModuleForm, PathForm, QuestionForm
from relais.training.models import Module, Path, Question


@manager_required
def module_list(request: HttpRequest) -> HttpResponse:
    modules = selectors.module_list(user=request_user(request))
    return render(request, "training/modules.html", {"modules": modules})


def _module_editor(request: HttpRequest, module: Module) -> HttpResponse:
    is_new = module.pk is None
    form = ModuleForm.for_module(module, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.module_save(
                module=module, data=form.service_data(), actor=request_user(request)
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Module saved."))
            if is_new:
                return redirect("training:module_quiz", pk=module.pk)
            return redirect("training:module_edit", pk=module.pk)
    context = {
        "form": form,
        "module": None if is_new else module,
        "embed_url": authoring.video_embed_url(module.video_url) if module.video_url else None,
        "retake_form": ConfirmForm(),
        # Cleaned as it will be saved: what the manager typed is never shown raw.
        "preview": authoring.html_clean(form["body"].value() or ""),
    }
    return render(request, "training/module_form.html", context, status=422 if form.errors else 200)


@csp_override(authoring.VIDEO_CSP)
@manager_required
def module_new(request: HttpRequest) -> HttpResponse:
    return _module_editor(request, Module())


@csp_override(authoring.VIDEO_CSP)
@manager_required
def module_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _module_editor(request, object_or_404(request, selectors.module_get_for_user, pk))


@require_POST
@manager_required
def module_preview(request: HttpRequest) -> HttpResponse:
    """The text as partners will read it, cleaned as it will be saved (htmx, as one types)."""
    body = authoring.html_clean(request.POST.get("body", ""))
    return render(request, "training/module_preview.html", {"body": body})


@require_POST
@manager_required
def module_publish(request: HttpRequest, pk: int) -> HttpResponse:
    module = object_or_404(request, selectors.module_get_for_user, pk)
    actor = request_user(request)
    try:
        if request.POST.get("action") == "unpublish":
            authoring.module_unpublish(module=module, actor=actor)
            messages.success(request, _("Module hidden from partners."))
        else:
            authoring.module_publish(module=module, actor=actor)
            messages.success(request, _("Module published."))
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    return redirect("training:module_edit", pk=module.pk)


@require_POST
@manager_required
def module_retake(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone takes it again, once the manager ticked the confirmation."""
    module = object_or_404(request, selectors.module_get_for_user, pk)
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm: every partner must take it again."))
        return redirect("training:module_edit", pk=module.pk)
    authoring.module_retake(module=module, actor=request_user(request))
    messages.success(
        request,
        _("Version %(version)s: every partner must take the module again.")
        % {"version": module.version},
    )
    return redirect("training:module_edit", pk=module.pk)


def _quiz(request: HttpRequest, module: Module, question: Question) -> HttpResponse:
    """The quiz page: the questions, and the form of a new one or of the one being changed."""
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.question_save(
                module=module,
                question=question,
                data=form.cleaned_data,
                choices=form.choices(),
                actor=request_user(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("training:module_quiz", pk=module.pk)
    questions = module.questions.prefetch_related("choices")
    points = sum(q.points for q in questions)
    context = {
        "module": module,
        "questions": questions,
        "points": points,
        "form": form,
        "question": question if question.pk else None,
    }
    return render(request, "training/module_quiz.html", context, status=422 if form.errors else 200)


@manager_required
def module_quiz(request: HttpRequest, pk: int) -> HttpResponse:
    module = object_or_404(request, selectors.module_get_for_user, pk)
    return _quiz(request, module, Question(module=module))


@manager_required
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    module = object_or_404(request, selectors.module_get_for_user, pk)
    question = object_or_404(request, selectors.question_get_for_user, question_pk)
    if question.module_id != module.pk:
        return redirect("training:question_edit", pk=question.module_id, question_pk=question.pk)
    return _quiz(request, module, question)


@require_POST
@manager_required
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = object_or_404(request, selectors.question_get_for_user, question_pk)
    try:
        authoring.question_delete(question=question, actor=request_user(request))
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, _("Question deleted."))
    return redirect("training:module_quiz", pk=question.module_id)


@manager_required
def path_list(request: HttpRequest) -> HttpResponse:
    paths = selectors.path_list(user=request_user(request)).prefetch_related("steps__module")
    return render(request, "training/paths.html", {"paths": paths})


def _path_editor(request: HttpRequest, learning_path: Path) -> HttpResponse:
    is_new = learning_path.pk is None
    modules = list(selectors.modules_for_user(user=request_user(request)))
    form = PathForm(request.POST or None, path=learning_path, modules=modules)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.path_save(
                path=learning_path,
                data=form.cleaned_data,
                modules=form.ordered_modules(),
                actor=request_user(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Path saved."))
            return redirect("training:paths")
    context = {"form": form, "path": None if is_new else learning_path}
    return render(request, "training/path_form.html", context, status=422 if form.errors else 200)


@manager_required
def path_new(request: HttpRequest) -> HttpResponse:
    return _path_editor(request, Path())


@manager_required
def path_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _path_editor(request, object_or_404(request, selectors.path_get_for_user, pk))


urlpatterns: list[URLPattern] = [
    path("modules/", module_list, name="modules"),
    path("modules/new/", module_new, name="module_new"),
    path("modules/preview/", module_preview, name="module_preview"),
    path("modules/<int:pk>/", module_edit, name="module_edit"),
    path("modules/<int:pk>/publish/", module_publish, name="module_publish"),
    path("modules/<int:pk>/retake/", module_retake, name="module_retake"),
    path("modules/<int:pk>/quiz/", module_quiz, name="module_quiz"),
    path("modules/<int:pk>/quiz/<int:question_pk>/", question_edit, name="question_edit"),
    path(
        "modules/<int:pk>/quiz/<int:question_pk>/delete/", question_delete, name="question_delete"
    ),
    path("paths/", path_list, name="paths"),
    path("paths/new/", path_new, name="path_new"),
    path("paths/<int:pk>/", path_edit, name="path_edit"),
]
