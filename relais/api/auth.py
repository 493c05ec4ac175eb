"""Bearer-token authentication with scopes: reading needs ``read``, any write needs ``write``."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from relais.accounts.models import ApiToken
from relais.accounts.services import api_token_authenticate
from relais.core import ratelimit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_authenticate(raw=token)
        if api_token is None:
            return None
        _count_call(api_token)
        needed = "read" if request.method in SAFE_METHODS else "write"
        if not api_token.has_scope(needed):
            raise AuthorizationError(
                message=_("This token lacks the %(scope)s scope.") % {"scope": needed}
            )
        # Services and selectors take the user; the token stays reachable as request.auth.
        request.user = api_token.user
        return api_token


def _count_call(api_token: ApiToken) -> None:
    """``RELAIS_API_MAX_PER_MINUTE`` calls a clock minute per token, counted by every process
    together (one Redis round trip, else one database statement); past it, 429 + Retry-After."""
    limit = settings.RELAIS_API_MAX_PER_MINUTE
    if limit and not ratelimit.hit(f"api:{api_token.pk}", limit=limit, window=60):
        raise ratelimit.RateLimited(
            _("Too many calls with this token: at most %(limit)d a minute.") % {"limit": limit},
            retry_after=ratelimit.retry_after(60),
        )
