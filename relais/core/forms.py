"""Turning a service's refusal into what a form or an API body shows, in one place; and the
widgets every form shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseForm

from relais.core.errors import DomainError


class DateInput(forms.DateInput):
    """The browser's date picker for every date field of the project's forms. Its value must be
    ISO (``2026-12-02``) whatever the language: given ``02/12/2026``, the French short format
    Django would use, an ``<input type=date>`` shows nothing and posts nothing back."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def field_errors(exc: ValidationError) -> dict[str, str]:
    """``{field: first message}`` of a ValidationError raised with a dict of fields."""
    return {field: messages[0] for field, messages in exc.message_dict.items()}


def add_errors(form: BaseForm, exc: ValidationError | DomainError) -> None:
    """Put a service's errors on the form fields they name (the rest on the form)."""
    if isinstance(exc, DomainError):
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else None, message)
        if not exc.fields or not set(exc.fields) & set(form.fields):
            form.add_error(None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
