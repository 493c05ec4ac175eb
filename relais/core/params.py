"""Reading dated legal parameters: "the value of X on date D"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import MissingParameter
from relais.core.models import LegalParameter


def legal_parameter(key: str, on: date | None = None) -> LegalParameter:
    """The row in force on ``on`` (default today): the latest valid from that day or before."""
    day = on or timezone.localdate()
    row = (
        LegalParameter.objects.filter(key=key, valid_from__lte=day).order_by("-valid_from").first()
    )
    if row is None:
        raise MissingParameter(
            _("Legal parameter %(key)s has no value on %(day)s; an admin must add one.")
            % {"key": key, "day": day.isoformat()},
            code="missing_parameter",
        )
    return row


def legal_value(key: str, on: date | None = None) -> Decimal:
    return legal_parameter(key, on).value
