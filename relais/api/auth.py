"""Bearer-token authentication with scopes: reading needs ``read``, any write needs ``write``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from relais.accounts.models import ApiToken
from relais.accounts.services import api_token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        needed = "read" if request.method in SAFE_METHODS else "write"
        if not api_token.has_scope(needed):
            raise AuthorizationError(
                message=_("This token lacks the %(scope)s scope.") % {"scope": needed}
            )
        # Services and selectors take the user; the token stays reachable as request.auth.
        request.user = api_token.user
        return api_token
