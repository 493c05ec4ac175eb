"""Cash rewards of a challenge, paid like commissions: one payable line per award, taken by the
next payment run (its statement, invoice, SEPA transfer and DAS2 follow). The beneficiary is the
participant whose own results earned it: nobody is paid on another partner's results (single
level). The challenges app calls this; the line is made once per ``key``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.choices import LineKind, LineStatus
from relais.commissions.engine import to_cents
from relais.commissions.models import CommissionLine
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.partners.models import Partner

REWARD_KEY_PREFIX = "challenge-reward:"


def reward_line_issue(
    *,
    partner: Partner,
    key: str,
    amount: Decimal,
    on: date,
    detail: dict[str, Any],
    actor: User | None,
) -> CommissionLine:
    """The payable bonus line of one cash reward, rounded to the cent once. Safe to call twice:
    the same ``key`` for the same partner gives back the line already made (the partner's row
    lock serialises two calls, as for commission accrual)."""
    if amount <= 0:
        raise DomainError(_("Amount: a cash reward is above zero."), fields={"amount": "positive"})
    event_key = REWARD_KEY_PREFIX + key
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=partner.pk)
        existing = CommissionLine.objects.filter(
            event_key=event_key, partner=partner, rule__isnull=True
        ).first()
        if existing is not None:
            return existing
        line = CommissionLine.objects.create(
            partner=partner,
            rule=None,
            event_key=event_key,
            kind=LineKind.BONUS,
            amount=to_cents(amount),
            detail={"reward": True, **detail},
            earned_on=on,
            status=LineStatus.PAYABLE,
        )
        audit_record(subject=line, action="reward_line", actor=actor, target=str(partner.pk))
    return line
