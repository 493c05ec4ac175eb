"""A lead's deal in the company's CRM: the link (which CRM, the deal's id, one lead per deal) and
the deal's status pushed by the CRM, applied through the lead's own transitions
(``services.lead_transition``): the same checks, timeline, counters and events as a person's move.

A push is idempotent: a deal pushed twice with the same status (and, won, the same amount and
date) changes nothing the second time. A status the lifecycle does not allow from the lead's
(won while only assigned, lost once won) is refused with the lifecycle's message naming both
statuses (the API's 409). The integrations app receives the CRMs' webhooks and calls this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.errors import DomainError, NotYours, TransitionError
from relais.core.money import cents
from relais.core.textcheck import refuse_bad_text
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.leads.services import lead_transition

S = LeadStatus
# What a CRM may say of a deal: still being worked, won, lost.
PUSHED = (S.IN_PROGRESS, S.WON, S.LOST)


@dataclass(frozen=True)
class Synced:
    lead: Lead
    changed: bool


def lead_crm_link(*, lead: Lead, source: str, deal_id: str, actor: User | None) -> Lead:
    """Link the lead to its deal in a CRM (or unlink it with an empty id); one lead per deal."""
    source, deal_id = source.strip(), deal_id.strip()
    refuse_bad_text(Lead, {"crm_source": source, "crm_deal_id": deal_id})
    if deal_id and not source:
        raise DomainError(
            _("Name the CRM the deal id comes from."),
            code="crm_source_required",
            fields={"crm_source": _("Required with a deal id.")},
        )
    try:
        with transaction.atomic():
            updated = Lead.objects.filter(pk=lead.pk).update(
                crm_source=source if deal_id else "", crm_deal_id=deal_id
            )
    except IntegrityError:
        raise DomainError(
            _("Deal %(deal)s of %(source)s is already linked to another lead.")
            % {"deal": deal_id, "source": source},
            code="crm_deal_taken",
            fields={"crm_deal_id": _("Already linked to another lead.")},
        ) from None
    if not updated:
        raise NotYours(_("This lead no longer exists."), code="unknown")
    return Lead.objects.get(pk=lead.pk)


def _same(lead: Lead, target: S, amount: Decimal | None, won_date: date | None) -> bool:
    if lead.status != target:
        return False
    if target == S.WON:
        return lead.won_amount == cents(amount or 0) and lead.won_date == won_date
    return True


def lead_crm_sync(
    *,
    source: str,
    deal_id: str,
    status: str,
    amount: Decimal | None = None,
    won_date: date | None = None,
    lost_reason: str = "",
    actor: User | None = None,
) -> Synced:
    """Apply a deal's status pushed by a CRM to its lead (found by the CRM and the deal id)."""
    if status not in PUSHED:
        raise DomainError(
            _("A CRM can say a deal is in progress, won or lost, not %(status)s.")
            % {"status": status},
            code="crm_status",
            fields={"status": _("in_progress, won or lost.")},
        )
    target = S(status)
    refuse_bad_text(
        Lead, {"crm_source": source, "crm_deal_id": deal_id, "lost_reason": lost_reason}
    )
    lead = Lead.objects.filter(crm_source=source, crm_deal_id=deal_id).first()
    if lead is None or not deal_id:
        raise NotYours(
            _("No lead is linked to deal %(deal)s of %(source)s.")
            % {"deal": deal_id, "source": source},
            code="crm_deal_unknown",
        )
    if _same(lead, target, amount, won_date):
        return Synced(lead, changed=False)
    if lead.status == target == S.WON:
        raise TransitionError(
            _("Lead %(lead)s is already won with another amount or date: a manager corrects it.")
            % {"lead": lead.pk},
            code="crm_won_differs",
        )
    note = _("From the CRM (%(source)s, deal %(deal)s).") % {"source": source, "deal": deal_id}
    moved = lead_transition(
        lead=lead,
        to=target,
        actor=actor,
        note=note,
        amount=amount,
        won_date=won_date,
        lost_reason=lost_reason or (_("Lost in the CRM.") if target == S.LOST else ""),
    )
    return Synced(moved, changed=True)
