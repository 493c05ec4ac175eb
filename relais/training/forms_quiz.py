"""The quiz form: one field per question drawn for the attempt, in the attempt's order,
radio buttons for a single-choice question and checkboxes for a multiple-choice one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.training.models import Attempt
from relais.training.quiz import attempt_questions


class _Radios(forms.RadioSelect):
    """Radio buttons that pass on every value posted, not only the last: a forged request
    ticking several answers of a single-choice question reaches the scoring, which gives it
    no point, instead of being trimmed here to whichever value came last."""

    allow_multiple_selected = True


class QuizForm(forms.Form):
    def __init__(self, *args: Any, attempt: Attempt, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = attempt_questions(attempt)
        for question, choices in self.rows:
            self.fields[f"q{question.pk}"] = forms.MultipleChoiceField(
                label=question.text,
                choices=[(str(c.pk), c.text) for c in choices],
                widget=forms.CheckboxSelectMultiple if question.multiple else _Radios,
                help_text=_("Several answers may be right.") if question.multiple else "",
                error_messages={"required": _("Answer this question.")},
            )

    def answers(self) -> dict[int, list[int]]:
        """{question id: ticked choice ids}, as the scoring takes them."""
        return {
            question.pk: [int(c) for c in self.cleaned_data.get(f"q{question.pk}", [])]
            for question, _choices in self.rows
        }
