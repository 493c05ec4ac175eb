"""Reads of certificates for the manager's pages: the list with its filters, one certificate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from relais.accounts.models import User
from relais.partners.selectors import of_visible_partners
from relais.training.choices import CertificateState
from relais.training.models import Certificate


def state_filter(state: str, now: datetime) -> Q:
    """The SQL side of ``certificate_state``: revoked > expired > valid."""
    expired = Q(expires_at__isnull=False, expires_at__lte=now)
    if state == CertificateState.REVOKED:
        return Q(revoked_at__isnull=False)
    if state == CertificateState.EXPIRED:
        return Q(revoked_at__isnull=True) & expired
    return Q(revoked_at__isnull=True) & ~expired


def certificates_for_user(*, user: User) -> QuerySet[Certificate]:
    return of_visible_partners(Certificate.objects.all(), user=user)


def certificate_list(
    *, user: User, filters: dict[str, Any] | None = None, now: datetime | None = None
) -> QuerySet[Certificate]:
    """``filters``: ``state`` (a CertificateState), ``module`` and ``path`` (objects),
    ``q`` (the partner's name or e-mail, or a verification code)."""
    filters = filters or {}
    qs = certificates_for_user(user=user).select_related("partner", "module", "path")
    if filters.get("state"):
        qs = qs.filter(state_filter(filters["state"], now or timezone.now()))
    if filters.get("module"):
        qs = qs.filter(module=filters["module"])
    if filters.get("path"):
        qs = qs.filter(path=filters["path"])
    if term := (filters.get("q") or "").strip():
        qs = qs.filter(
            Q(code=term.upper())
            | Q(partner__company_name__icontains=term)
            | Q(partner__last_name__icontains=term)
            | Q(partner__email__icontains=term)
        )
    return qs.order_by("-issued_at", "-pk")


def certificate_get_for_user(*, user: User, pk: int) -> Certificate:
    """Raises Certificate.DoesNotExist outside the user's scope (a 404 to callers)."""
    return certificates_for_user(user=user).select_related("partner", "module", "path").get(pk=pk)


def partners_with_trainings(n: int, start: date | None, end: date | None) -> QuerySet:
    """The "trainings completed" metric (``engagement.metrics``): the partners whose module
    certificates issued in [start, end) — not revoked; an expired one still counts, it was
    completed then — cover at least ``n`` different modules. A subquery of partner ids."""
    issued = Certificate.objects.filter(module__isnull=False, revoked_at__isnull=True)
    if start is not None:
        issued = issued.filter(issued_at__date__gte=start)
    if end is not None:
        issued = issued.filter(issued_at__date__lt=end)
    counts = issued.values("partner_id").annotate(modules=Count("module", distinct=True))
    return counts.filter(modules__gte=n).order_by().values("partner_id")
