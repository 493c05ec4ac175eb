"""Reads of accounts used by several apps."""

from __future__ import annotations

from relais.accounts.choices import MANAGING_ROLES
from relais.accounts.models import User


def manager_emails() -> list[str]:
    """Where the system's alerts for managers go (unroutable leads, SLA escalations)."""
    return list(
        User.objects.filter(role__in=MANAGING_ROLES, is_active=True).values_list("email", flat=True)
    )
