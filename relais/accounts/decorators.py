"""Role checks for views: a wrong role is a 403, an anonymous visitor goes to the login page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from relais.accounts.models import User

View = Callable[..., HttpResponseBase]


def role_required(test: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def request_user(request: HttpRequest) -> User:
    """The logged-in User of a request that passed a role check or the API's token auth."""
    user = request.user
    assert isinstance(user, User)
    return user


staff_required = role_required(lambda user: user.is_staff_member)
manager_required = role_required(lambda user: user.can_manage)
partner_required = role_required(lambda user: user.is_partner_user)
