"""Required before working: a partner missing a required module (never done, or its
certificate expired or was revoked) cannot be activated and is not routed new leads, once the
grace period the active partners get (``RELAIS_TRAINING_GRACE_DAYS``) is over. Registered with
the partners app (activation checks) and the router (gates) by ``gate_setup``."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.training.progress import (
    held_from,
    missing_required,
    missing_required_many,
    required_modules,
)

HELD = gettext_noop("a required training module is missing")


def activation_check(partner: Partner) -> str | None:
    """Why the partner cannot be activated yet: the required modules it has not done."""
    missing = missing_required(partner)
    if not missing:
        return None
    return _("%(partner)s has not completed the required training: %(modules)s.") % {
        "partner": partner.display_name,
        "modules": ", ".join(m.title for m in missing),
    }


def router_gate(kind: str, ids: list[int], now: datetime) -> dict[int, str]:
    """The resellers of a routing pool to skip: past their grace period without a required
    module. A fixed number of queries for the whole pool, one when nothing is required."""
    if kind != "reseller" or not ids or not required_modules(PartnerKind.RESELLER).exists():
        return {}
    partners = list(Partner.objects.filter(pk__in=ids).only("pk", "kind", "status", "created_at"))
    missing = missing_required_many(partners)
    held = {}
    for partner in partners:
        gaps = missing[partner.pk]
        if gaps:
            since = held_from(partner.status, partner.created_at, gaps)
            if since is None or since <= now:
                held[partner.pk] = HELD
    return held
