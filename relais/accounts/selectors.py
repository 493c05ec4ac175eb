"""Reads of accounts used by several apps."""

from __future__ import annotations

from django.db.models import QuerySet

from relais.accounts.choices import MANAGING_ROLES
from relais.accounts.models import ApiToken, User


def manager_emails() -> list[str]:
    """Where the system's alerts for managers go (unroutable leads, SLA escalations)."""
    return list(
        User.objects.filter(role__in=MANAGING_ROLES, is_active=True).values_list("email", flat=True)
    )


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """A user's own API tokens: no role sees another user's, not even a manager."""
    return ApiToken.objects.filter(user=user)


def api_token_get_for_user(*, user: User, pk: int) -> ApiToken:
    """Raises ApiToken.DoesNotExist for another user's token (a 404 to callers)."""
    return api_tokens_for_user(user=user).get(pk=pk)
