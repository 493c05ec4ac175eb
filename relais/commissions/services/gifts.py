"""Gifts instead of cash: a redemption takes the gift's value from the partner's balance (a
negative line, approved at once) when a manager approves it; refused, nothing is taken."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.choices import LineKind, LineStatus, RedemptionStatus
from relais.commissions.events import CommissionLinesCreated
from relais.commissions.models import CommissionLine, Gift, Redemption
from relais.core import events
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.core.formatting import format_money
from relais.partners.models import Partner

S = RedemptionStatus


def available(partner: Partner) -> Decimal:
    """What the partner could be paid now: approved or payable lines in no run, net."""
    total = CommissionLine.objects.filter(
        partner=partner,
        status__in=(LineStatus.APPROVED, LineStatus.PAYABLE),
        payment_run__isnull=True,
        hold_reason="",
    ).aggregate(s=Sum("amount"))["s"]
    return total or Decimal(0)


def redemption_request(*, partner: Partner, gift: Gift, actor: User | None) -> Redemption:
    if not gift.active:
        raise DomainError(_("This gift is no longer offered."), code="inactive")
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=partner.pk)
        reserved = Redemption.objects.filter(partner=partner, status=S.REQUESTED).aggregate(
            s=Sum("value_incl_vat")
        )["s"] or Decimal(0)
        if available(partner) - reserved < gift.value_incl_vat:
            raise DomainError(
                _("Your available balance (%(balance)s) does not cover this gift (%(value)s).")
                % {
                    "balance": format_money(available(partner) - reserved),
                    "value": format_money(gift.value_incl_vat),
                },
                code="balance_too_low",
            )
        redemption = Redemption.objects.create(
            partner=partner, gift=gift, value_incl_vat=gift.value_incl_vat
        )
        audit_record(subject=redemption, action="requested", actor=actor)
    return redemption


def _move(redemption: Redemption, src: str, dst: str) -> Redemption:
    locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if locked.status != src:
        raise TransitionError(
            _("This redemption is %(status)s.") % {"status": S(locked.status).label},
            code="illegal_transition",
        )
    locked.status = dst
    return locked


def redemption_approve(*, redemption: Redemption, actor: User | None) -> Redemption:
    with transaction.atomic():
        locked = _move(redemption, S.REQUESTED, S.APPROVED)
        Partner.objects.select_for_update().get(pk=locked.partner_id)
        if available(locked.partner) < locked.value_incl_vat:
            raise DomainError(_("The partner's balance no longer covers it."), code="balance")
        locked.line = CommissionLine.objects.create(
            partner=locked.partner,
            event_key=f"gift:{locked.pk}",
            kind=LineKind.GIFT,
            amount=-locked.value_incl_vat,
            earned_on=timezone.localdate(),
            status=LineStatus.PAYABLE,
            detail={"gift": locked.gift.name},
        )
        events.publish(CommissionLinesCreated(line_ids=[locked.line.pk]))
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(subject=locked, action="approved", actor=actor)
    return locked


def redemption_refuse(*, redemption: Redemption, actor: User | None, reason: str) -> Redemption:
    with transaction.atomic():
        locked = _move(redemption, S.REQUESTED, S.REFUSED)
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(subject=locked, action="refused", actor=actor, reason=reason)
    return locked


def redemption_deliver(*, redemption: Redemption, actor: User | None) -> Redemption:
    with transaction.atomic():
        locked = _move(redemption, S.APPROVED, S.DELIVERED)
        locked.delivered_at = timezone.now()
        locked.save()
        audit_record(subject=locked, action="delivered", actor=actor)
    return locked
