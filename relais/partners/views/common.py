"""What every staff view of partners shares: the scoped lookup and error plumbing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest

from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.partners import selectors
from relais.partners.models import Partner


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def get_partner_for_user(request: HttpRequest, pk: int) -> Partner:
    """The one way a view reaches a partner: scoped to what the user may see, else 404."""
    try:
        return selectors.partner_get_for_user(current_user(request), pk)
    except Partner.DoesNotExist:
        raise Http404 from None


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
