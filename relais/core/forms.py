"""Turning a service's refusal into what a form or an API body shows, in one place."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form

from relais.core.errors import DomainError


def field_errors(exc: ValidationError) -> dict[str, str]:
    """``{field: first message}`` of a ValidationError raised with a dict of fields."""
    return {field: messages[0] for field, messages in exc.message_dict.items()}


def add_errors(form: Form, exc: ValidationError | DomainError) -> None:
    """Put a service's errors on the form fields they name (the rest on the form)."""
    if isinstance(exc, DomainError):
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else None, message)
        if not exc.fields or not set(exc.fields) & set(form.fields):
            form.add_error(None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
