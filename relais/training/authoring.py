"""Writes of the training content a manager authors: modules (their text cleaned, their video
embedded only from the usual hosts, their PDF checked), their quiz (questions and choices), the
requirement before working, "everyone takes it again", and paths.

Every refusal is a ``ValidationError`` naming the field, and nothing is saved then."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import audit_record, diff, snapshot
from relais.engagement.choices import Segment
from relais.training.choices import ModuleAudience, Validity
from relais.training.models import Choice, Module, Path, PathStep, Question

MAX_PDF_BYTES = 10 * 1024 * 1024

# What a module's text may hold: the usual formatting, links and images; never script, style,
# iframe, forms or event attributes (nh3 drops every tag and attribute not listed).
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "mark", "small",
    "sub", "sup", "ul", "ol", "li", "blockquote", "pre", "code", "a", "img", "table", "thead",
    "tbody", "tr", "th", "td", "caption", "dl", "dt", "dd", "figure", "figcaption", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
MODULE_FIELDS = (
    "title",
    "summary",
    "body",
    "video_url",
    "audience",
    "language",
    "segment",
    "pass_mark",
    "attempts_allowed",
    "wait_minutes",
    "questions_per_attempt",
    "validity",
)


def html_clean(html: str) -> str:
    """A module's text made safe to show as it is: allowed tags only, links opened with
    ``rel="noopener noreferrer"``, only http(s) and mailto links, script and style dropped with
    their content."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
        clean_content_tags={"script", "style"},
        strip_comments=True,
    ).strip()


# --- Video -------------------------------------------------------------------------------------

# The pages that show a module's video (the partner's module page, the manager's editor) may
# frame the players ``video_embed_url`` points to; every other page keeps the site-wide policy.
VIDEO_FRAME_HOSTS = [
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://www.dailymotion.com",
]
VIDEO_CSP: dict[str, Collection[str] | str] = {
    **cast("dict[str, Collection[str] | str]", settings.SECURE_CSP),
    "frame-src": [CSP.SELF, *VIDEO_FRAME_HOSTS],
}

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{3,12}$")
_DAILYMOTION_ID = re.compile(r"^[A-Za-z0-9]{5,12}$")


def _host(url: str) -> tuple[str, list[str], dict[str, list[str]]]:
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"}:
        return "", [], {}
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    return host, [p for p in parts.path.split("/") if p], parse_qs(parts.query)


def _youtube(segments: list[str], query: dict[str, list[str]]) -> str | None:
    if segments == ["watch"]:
        return query.get("v", [""])[0]
    if len(segments) == 2 and segments[0] in {"embed", "shorts", "live", "v"}:
        return segments[1]
    return None


def video_embed_url(url: str) -> str | None:
    """The address to embed a video from YouTube, Vimeo or Dailymotion (YouTube's no-cookie
    player), or None for any other address: a module shows no player from elsewhere."""
    host, segments, query = _host(url)
    video_id: str | None = None
    if host in {"youtube.com", "youtube-nocookie.com"}:
        video_id = _youtube(segments, query)
    elif host == "youtu.be" and len(segments) == 1:
        video_id = segments[0]
    if video_id is not None:
        return (
            f"https://www.youtube-nocookie.com/embed/{video_id}"
            if _YOUTUBE_ID.match(video_id)
            else None
        )
    if host in {"vimeo.com", "player.vimeo.com"}:
        video_id = segments[-1] if segments else ""
        return f"https://player.vimeo.com/video/{video_id}" if _VIMEO_ID.match(video_id) else None
    if host in {"dailymotion.com", "dai.ly"}:
        video_id = segments[-1] if segments else ""
        video_id = video_id.split("_", 1)[0]  # /video/x8abc12_the-title
        if _DAILYMOTION_ID.match(video_id):
            return f"https://www.dailymotion.com/embed/video/{video_id}"
    return None


# --- Modules -----------------------------------------------------------------------------------


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def _values(module: Module, data: dict[str, Any]) -> dict[str, Any]:
    """The fields ``data`` gives, trimmed and typed; the ones it lacks keep the module's."""
    values = {field: data[field] for field in MODULE_FIELDS if field in data}
    for field in ("title", "summary", "video_url", "segment"):
        if field in values:
            values[field] = str(values[field] or "").strip()
    for field in ("pass_mark", "questions_per_attempt"):
        if field in values:
            values[field] = _int_or_none(values[field])
    for field in ("attempts_allowed", "wait_minutes", "validity"):
        if field in values:
            values[field] = _int_or_none(values[field]) or 0
    if "body" in values:
        values["body"] = html_clean(str(values["body"] or ""))
    return values


@dataclass(frozen=True)
class QuizPoints:
    """What a quiz can give: every question's points, and how many are drawn per attempt."""

    points: list[int]
    drawn: int | None

    @property
    def reachable(self) -> int:
        """The points an attempt can reach whatever is drawn. Every question when none is
        drawn; with a subset, the sum of the ``drawn`` smallest points, the worst draw — so a
        pass mark at or below it can be reached by every partner, whatever questions they get."""
        if not self.drawn or self.drawn >= len(self.points):
            return sum(self.points)
        return sum(sorted(self.points)[: self.drawn])


def _quiz_points(module: Module, drawn: int | None) -> QuizPoints:
    points = [] if module.pk is None else list(module.questions.values_list("points", flat=True))
    return QuizPoints(points=points, drawn=drawn)


def _quiz_errors(module: Module, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    pass_mark = values.get("pass_mark", module.pass_mark)
    drawn = values.get("questions_per_attempt", module.questions_per_attempt)
    quiz = _quiz_points(module, drawn)
    if drawn is not None and drawn < 1:
        errors["questions_per_attempt"] = _("Draw at least one question, or leave it empty.")
    elif drawn is not None and quiz.points and drawn > len(quiz.points):
        errors["questions_per_attempt"] = _(
            "The quiz has %(count)s questions: it cannot draw %(drawn)s."
        ) % {"count": len(quiz.points), "drawn": drawn}
    if pass_mark is not None and pass_mark > quiz.reachable:
        if quiz.drawn and quiz.drawn < len(quiz.points):
            message = _(
                "The pass mark (%(mark)s) is above the %(points)s points the %(drawn)s questions "
                "drawn may give (the smallest ones): lower it or draw more questions."
            ) % {"mark": pass_mark, "points": quiz.reachable, "drawn": quiz.drawn}
        else:
            message = _(
                "The pass mark (%(mark)s) is above the quiz's %(points)s points: lower it or "
                "add questions."
            ) % {"mark": pass_mark, "points": quiz.reachable}
        errors["pass_mark"] = message
    if pass_mark == 0:
        errors["pass_mark"] = _("A pass mark of 0 passes anyone: leave it empty or raise it.")
    if values.get("attempts_allowed", module.attempts_allowed) < 1:
        errors["attempts_allowed"] = _("Allow at least one attempt.")
    return errors


def _field_errors(module: Module, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "title" in values and not values["title"]:
        errors["title"] = _("Give the module a title.")
    video = values.get("video_url", "")
    if video and video_embed_url(video) is None:
        errors["video_url"] = _(
            "%(url)s: only YouTube, Vimeo or Dailymotion videos can be shown in a module."
        ) % {"url": video}
    languages = [code for code, _name in settings.LANGUAGES]
    segments = ["", *Segment.values]
    for field, choices in (
        ("audience", ModuleAudience.values),
        ("validity", Validity.values),
        ("language", languages),
        ("segment", segments),
    ):
        if field in values and values[field] not in choices:
            errors[field] = _("Choose one of the proposed values.")
    return {**errors, **_quiz_errors(module, values)}


def document_check(document: UploadedFile) -> None:
    """A real PDF of at most 10 MB: its first bytes must say ``%PDF-`` (a renamed Word file or
    image is refused whatever its name or the browser's content type)."""
    name = document.name or ""
    if document.size is not None and document.size > MAX_PDF_BYTES:
        raise ValidationError(
            {"document": _("%(name)s is larger than 10 MB.") % {"name": name}}, code="too_large"
        )
    document.seek(0)
    head = document.read(5)
    document.seek(0)
    if head != b"%PDF-":
        raise ValidationError(
            {"document": _("%(name)s is not a PDF file.") % {"name": name}}, code="not_pdf"
        )


def _requirement(module: Module, required_for: str) -> None:
    """Set who must complete the module before working; ``required_since`` starts (the grace
    period counts from it) whenever the requirement reaches partners it did not before."""
    if required_for and required_for not in ModuleAudience.values:
        raise ValidationError({"required_for": _("Choose one of the proposed values.")})
    if required_for and required_for != module.required_for:
        module.required_since = timezone.now()
    if not required_for:
        module.required_since = None
    module.required_for = required_for


def module_save(*, module: Module, data: dict[str, Any], actor: User | None) -> Module:
    """Create (``module`` unsaved) or change a module from ``data`` (the editor's fields, plus
    ``document``: an uploaded PDF, ``document_clear``, ``required_for``). The text is cleaned
    (nh3); a video from an unknown host, a file that is not a PDF, a pass mark the quiz cannot
    reach: a ``ValidationError`` naming each field, nothing saved."""
    values = _values(module, data)
    errors = _field_errors(module, values)
    document = data.get("document")
    if isinstance(document, UploadedFile):
        try:
            document_check(document)
        except ValidationError as exc:
            errors.update({f: m[0] for f, m in exc.message_dict.items()})
    if "required_for" in data and data["required_for"] not in ("", *ModuleAudience.values):
        errors["required_for"] = _("Choose one of the proposed values.")
    if errors:
        raise ValidationError(errors)
    created = module.pk is None
    before = {} if created else snapshot(module, (*MODULE_FIELDS, "required_for"))
    with transaction.atomic():
        for field, value in values.items():
            setattr(module, field, value)
        if "required_for" in data:
            _requirement(module, data["required_for"] or "")
        if isinstance(document, UploadedFile):
            module.document.save(document.name or "document.pdf", document, save=False)
        elif data.get("document_clear"):
            module.document = ""
        module.save()
        audit_record(
            subject=module,
            action="created" if created else "updated",
            actor=actor,
            target=module.title,
            changes=None
            if created
            else diff(before, snapshot(module, (*MODULE_FIELDS, "required_for"))),
        )
    return module


def _quiz_check(module: Module) -> None:
    """A quiz that can be taken: every question has a right answer, the pass mark is set and
    reachable."""
    questions = list(module.questions.prefetch_related("choices"))
    if not questions:
        return
    wrong = [q for q in questions if not any(c.correct for c in q.choices.all())]
    if wrong:
        raise ValidationError(
            {
                "questions": _("The question “%(text)s” has no right answer.")
                % {"text": wrong[0].text[:80]}
            }
        )
    if module.pass_mark is None:
        raise ValidationError({"pass_mark": _("Set the quiz's pass mark before publishing.")})
    errors = _quiz_errors(module, {})
    if errors:
        raise ValidationError(errors)


def module_publish(*, module: Module, actor: User | None) -> Module:
    """Show the module to its partners. Refused while it has nothing to read or watch, or while
    its quiz cannot be taken (a question without a right answer, no pass mark)."""
    if not (module.body or module.video_url or module.document):
        raise ValidationError({"body": _("Write the text, or add a video or a document, first.")})
    _quiz_check(module)
    with transaction.atomic():
        module.published = True
        module.save(update_fields=["published", "updated_at"])
        audit_record(subject=module, action="published", actor=actor, target=module.title)
    return module


def module_unpublish(*, module: Module, actor: User | None) -> Module:
    """Hide the module from partners (their certificates stay); a required one stops being
    required, or it would block partners who cannot see it."""
    with transaction.atomic():
        module.published = False
        _requirement(module, "")
        module.save(update_fields=["published", "required_for", "required_since", "updated_at"])
        audit_record(subject=module, action="unpublished", actor=actor, target=module.title)
    return module


def module_require(*, module: Module, required_for: str, actor: User | None) -> Module:
    """Make the module required before working for ``required_for`` (an ``ModuleAudience``), or for
    nobody (empty). ``required_since`` is set to now when it becomes required for new partners:
    those already active have the grace period from then."""
    with transaction.atomic():
        before = module.required_for
        _requirement(module, required_for)
        module.save(update_fields=["required_for", "required_since", "updated_at"])
        audit_record(
            subject=module,
            action="required",
            actor=actor,
            target=module.title,
            changes={"required_for": [before, module.required_for]},
        )
    return module


def module_retake(*, module: Module, actor: User | None) -> Module:
    """The module changed materially: everyone must take it again (``version`` + 1; only
    completions of the current version count). A required module's grace period starts again,
    so that nobody is cut off the day the manager asks for it."""
    with transaction.atomic():
        locked = Module.objects.select_for_update().get(pk=module.pk)
        locked.version += 1
        if locked.required_for:
            locked.required_since = timezone.now()
        locked.save(update_fields=["version", "required_since", "updated_at"])
        audit_record(
            subject=locked,
            action="retake",
            actor=actor,
            target=locked.title,
            changes={"version": [locked.version - 1, locked.version]},
        )
    module.version, module.required_since = locked.version, locked.required_since
    return module


# --- Questions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceIn:
    """An answer as the editor sends it: ``pk`` to keep an existing choice (an attempt in
    progress keeps pointing at it), None for a new one."""

    text: str
    correct: bool
    pk: int | None = None


def _question_errors(
    text: str, multiple: bool, points: int, choices: Sequence[ChoiceIn]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("Write the question.")
    if points < 1:
        errors["points"] = _("A question is worth at least 1 point.")
    right = sum(1 for c in choices if c.correct)
    if len(choices) < 2:
        errors["choices"] = _("Give at least two answers.")
    elif right == 0:
        errors["choices"] = _("Tick the right answer: a question without one cannot be passed.")
    elif right > 1 and not multiple:
        errors["choices"] = _(
            "Several answers are ticked right: tick one, or allow several right answers."
        )
    return errors


def question_save(
    *,
    module: Module,
    question: Question,
    data: dict[str, Any],
    choices: Sequence[ChoiceIn],
    actor: User | None,
) -> Question:
    """Create (``question`` unsaved) or change a question of ``module``'s quiz with its choices,
    in one transaction: choices kept by ``pk``, added, and those left out removed. Refused,
    naming the field, without a right answer, or if the points left no longer reach the pass
    mark."""
    text = str(data.get("text") or "").strip()
    multiple = bool(data.get("multiple"))
    points = _int_or_none(data.get("points"))
    points = 1 if points is None else points
    choices = [c for c in choices if c.text.strip()]
    errors = _question_errors(text, multiple, points, choices)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        created = question.pk is None
        question.module = module
        question.text, question.multiple, question.points = text, multiple, points
        if created:
            question.position = module.questions.count()
        question.save()
        _choices_write(question, choices)
        _pass_mark_still_reachable(module)
        audit_record(
            subject=module,
            action="question_added" if created else "question_changed",
            actor=actor,
            target=text[:80],
        )
    return question


def _choices_write(question: Question, choices: Sequence[ChoiceIn]) -> None:
    existing = {c.pk: c for c in question.choices.all()}
    kept: list[int] = []
    for position, given in enumerate(choices):
        choice = existing.get(given.pk) if given.pk else None
        choice = choice or Choice(question=question)
        choice.text, choice.correct, choice.position = given.text.strip(), given.correct, position
        choice.save()
        kept.append(choice.pk)
    question.choices.exclude(pk__in=kept).delete()


def _pass_mark_still_reachable(module: Module) -> None:
    """Inside the write's transaction: a change that leaves the pass mark out of reach is
    refused (the transaction rolls back), naming the pass mark."""
    errors = _quiz_errors(module, {})
    if "pass_mark" in errors:
        raise ValidationError({"points": errors["pass_mark"]})


def question_delete(*, question: Question, actor: User | None) -> None:
    """Remove a question from the bank, refused when the points left would no longer reach the
    pass mark."""
    module = question.module
    with transaction.atomic():
        text = question.text
        question.delete()
        errors = _quiz_errors(module, {})
        if "pass_mark" in errors:
            raise ValidationError({"pass_mark": errors["pass_mark"]})
        if "questions_per_attempt" in errors:
            raise ValidationError({"questions_per_attempt": errors["questions_per_attempt"]})
        audit_record(subject=module, action="question_deleted", actor=actor, target=text[:80])


# --- Paths -------------------------------------------------------------------------------------

PATH_FIELDS = ("title", "summary", "audience", "language", "published")


def path_save(
    *, path: Path, data: dict[str, Any], modules: Sequence[Module], actor: User | None
) -> Path:
    """Create (``path`` unsaved) or change a path and its steps, in the order given. Refused,
    naming the field, without a title, without a module, or with one twice."""
    errors: dict[str, str] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Give the path a title.")
    if not modules:
        errors["modules"] = _("Choose the path's modules, in order.")
    elif len({m.pk for m in modules}) != len(modules):
        errors["modules"] = _("A module appears twice in the path.")
    audience = data.get("audience") or ModuleAudience.ALL
    if audience not in ModuleAudience.values:
        errors["audience"] = _("Choose one of the proposed values.")
    if errors:
        raise ValidationError(errors)
    created = path.pk is None
    before = {} if created else snapshot(path, PATH_FIELDS)
    with transaction.atomic():
        path.title, path.audience = title, audience
        path.summary = str(data.get("summary") or "").strip()
        path.language = data.get("language") or path.language
        path.published = bool(data.get("published"))
        path.save()
        path.steps.all().delete()
        PathStep.objects.bulk_create(
            PathStep(path=path, module=module, position=n) for n, module in enumerate(modules)
        )
        audit_record(
            subject=path,
            action="created" if created else "updated",
            actor=actor,
            target=path.title,
            changes=None if created else diff(before, snapshot(path, PATH_FIELDS)),
        )
    return path
