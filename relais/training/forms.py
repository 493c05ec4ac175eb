"""The manager's forms for training content. They parse what the page sends; the rules (the
text cleaned, the video's host, the PDF, the pass mark, a right answer per question) are the
services' (``authoring.py``), whose refusals land on the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from relais.engagement.choices import Segment
from relais.training.authoring import ChoiceIn
from relais.training.choices import ModuleAudience, Validity
from relais.training.models import Module, Path, Question

CHOICE_ROWS_MIN = 4


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Text (HTML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "code"}),
        help_text=_(
            "Paragraphs, headings, lists, bold, links, tables. Scripts, styles, frames and "
            "event attributes are removed when saved; the preview shows what partners will read."
        ),
    )
    video_url = forms.URLField(
        label=_("Video"),
        required=False,
        assume_scheme="https",
        help_text=_("A YouTube, Vimeo or Dailymotion address."),
    )
    document = forms.FileField(
        label=_("Document (PDF, 10 MB at most)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    audience = forms.ChoiceField(label=_("For"), choices=ModuleAudience.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    segment = forms.ChoiceField(
        label=_("Segment"),
        required=False,
        choices=[("", _("Every segment")), *Segment.choices],
        help_text=_("Narrows the audience to the partners of one segment."),
    )
    pass_mark = forms.IntegerField(
        label=_("Pass mark (points)"),
        required=False,
        min_value=0,
        help_text=_("Needed when the module has a quiz."),
    )
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), min_value=1, initial=3)
    wait_minutes = forms.IntegerField(
        label=_("Wait between attempts (minutes)"), min_value=0, initial=0
    )
    questions_per_attempt = forms.IntegerField(
        label=_("Questions drawn per attempt"),
        required=False,
        min_value=1,
        help_text=_("Empty: every question, in a shuffled order."),
    )
    validity = forms.TypedChoiceField(
        label=_("Certificate valid for"), choices=Validity.choices, coerce=int
    )
    required_for = forms.ChoiceField(
        label=_("Required before working for"),
        required=False,
        choices=[("", _("Nobody")), *ModuleAudience.choices],
    )

    @classmethod
    def for_module(cls, module: Module, data: Any = None, files: Any = None) -> ModuleForm:
        initial = model_to_dict(module, exclude=["document"]) if module.pk else {}
        form = cls(data, files, initial=initial)
        if module.pk and module.document:
            form.fields["document"].initial = module.document
        return form

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as ``module_save`` takes them (a cleared file: ``document_clear``)."""
        data = dict(self.cleaned_data)
        if data.get("document") is False:
            data["document"], data["document_clear"] = None, True
        return data


class QuestionForm(forms.Form):
    """A question and its answers: one row per answer (text, right or not), kept by id."""

    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    multiple = forms.BooleanField(label=_("Several answers are right"), required=False)
    points = forms.IntegerField(label=_("Points"), min_value=1, initial=1)

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        existing = list(question.choices.all()) if question and question.pk else []
        initial = kwargs.pop("initial", None) or {}
        if question and question.pk:
            initial.update(text=question.text, multiple=question.multiple, points=question.points)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.rows = max(CHOICE_ROWS_MIN, len(existing) + 2)
        for n in range(self.rows):
            choice = existing[n] if n < len(existing) else None
            self.fields[f"choice_{n}_id"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=choice.pk if choice else None
            )
            self.fields[f"choice_{n}_text"] = forms.CharField(
                label=_("Answer %(n)s") % {"n": n + 1},
                required=False,
                max_length=300,
                initial=choice.text if choice else "",
            )
            self.fields[f"choice_{n}_correct"] = forms.BooleanField(
                label=_("Right answer"), required=False, initial=choice.correct if choice else False
            )

    def choice_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"choice_{n}_id"], self[f"choice_{n}_text"], self[f"choice_{n}_correct"])
            for n in range(self.rows)
        ]

    def choices(self) -> list[ChoiceIn]:
        data = self.cleaned_data
        return [
            ChoiceIn(
                text=data.get(f"choice_{n}_text") or "",
                correct=bool(data.get(f"choice_{n}_correct")),
                pk=data.get(f"choice_{n}_id"),
            )
            for n in range(self.rows)
        ]


class PathForm(forms.Form):
    """A path: its fields, and a position for each module (empty: not in the path)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    audience = forms.ChoiceField(label=_("For"), choices=ModuleAudience.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    published = forms.BooleanField(label=_("Published"), required=False)

    def __init__(self, *args: Any, path: Path, modules: list[Module], **kwargs: Any) -> None:
        initial = model_to_dict(path, fields=["title", "summary", "audience", "language"])
        initial["published"] = path.published
        positions = {}
        if path.pk:
            positions = {s.module_id: s.position + 1 for s in path.steps.all()}
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.modules = modules
        for module in modules:
            self.fields[f"step_{module.pk}"] = forms.IntegerField(
                label=module.title,
                required=False,
                min_value=1,
                initial=positions.get(module.pk),
                widget=forms.NumberInput(attrs={"class": "narrow"}),
            )

    def step_fields(self) -> list[forms.BoundField]:
        return [self[f"step_{m.pk}"] for m in self.modules]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("title", "summary", "audience", "language", "published")]

    def ordered_modules(self) -> list[Module]:
        """The modules given a position, by position (ties by title)."""
        chosen = [
            (self.cleaned_data[f"step_{m.pk}"], m.title, m)
            for m in self.modules
            if self.cleaned_data.get(f"step_{m.pk}")
        ]
        return [m for _position, _title, m in sorted(chosen, key=lambda c: (c[0], c[1]))]


class ConfirmForm(forms.Form):
    """A box the manager ticks to confirm what cannot be undone."""

    confirm = forms.BooleanField(label=_("I confirm"), required=True)
