"""Every write of the leads app: submission with duplicate detection, lifecycle, reviews."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from relais.accounts.models import User
from relais.bulk import fastinsert, is_batch
from relais.core import events
from relais.core.audit import acting_user, audit_record
from relais.core.deferred import Deferred, later
from relais.core.errors import DomainError, TransitionError
from relais.core.formatting import format_money
from relais.core.money import cents
from relais.core.textcheck import max_chars, refuse_bad_text
from relais.leads import bulk, counters, intake, notices
from relais.leads.choices import Channel, LeadStatus, RejectionReason, ReviewReason
from relais.leads.events import (
    DealCollected,
    DealRefunded,
    LeadQualified,
    LeadsMoved,
    LeadsSubmitted,
    LeadWon,
)
from relais.leads.intake import Submission
from relais.leads.lifecycle import STAMP, TRANSITIONS, move_check, timeline_write
from relais.leads.models import Lead, LeadEvent, ProspectKey
from relais.leads.normalise import prospect_keys
from relais.partners.models import Partner

S = LeadStatus


def lead_submit(
    *,
    data: dict[str, Any],
    channel: str,
    partner: Partner | None = None,
    salesperson: Any = None,
    actor: User | None = None,
    consent_marketing: bool = False,
    consent_phone: bool = False,
) -> Lead:
    """Create a lead from raw input, flagged as a duplicate, a conflict or a self-referral;
    a ValidationError names every bad field. The batch path with a batch of one, so a single
    lead and a thousand are judged by the same code."""
    item = Submission(data, partner, salesperson, consent_marketing, consent_phone)
    (outcome,) = leads_submit(items=[item], channel=channel, actor=actor)
    if isinstance(outcome, ValidationError):
        raise outcome
    return outcome


def leads_submit(
    *,
    items: list[Submission],
    channel: str,
    actor: User | None = None,
    checked: list[dict[str, Any] | ValidationError] | None = None,
    holds: Callable[[], None] | None = None,
) -> list[Lead | ValidationError]:
    """Submit a batch, each item judged as if it came after the ones before it (a later item of
    the same prospect is its duplicate): its Lead, or the ValidationError that refused it.
    ``checked`` is ``intake.leads_check(items)`` when the caller validated them already;
    ``holds`` is called once the prospects' keys are locked (``relais.bulk.lanes``).

    A fixed number of queries whatever the batch's size. The prospects' keys are locked (one row
    each, in a fixed order) before the lookup, so two identical submissions at the same instant
    are serialised — one original, one duplicate — whether they come alone or in batches.
    """
    if checked is None:
        checked = intake.leads_check(items)
    valid = [
        (item, cleaned)
        for item, cleaned in zip(items, checked, strict=True)
        if not isinstance(cleaned, ValidationError)
    ]
    now = timezone.now()
    keys = [prospect_keys(cleaned) for _item, cleaned in valid]
    with transaction.atomic():
        ids = fastinsert.reserve(Lead, len(valid)) if len(valid) >= fastinsert.SMALL else []
        locked = intake.lock_keys(
            (k for own in keys for k in own), expected=_first_claims(keys, ids), at=now
        )
        if holds:
            holds()
        planned = _plan(valid, ids, locked, channel=channel, actor=actor, now=now)
        _save(planned, locked, actor=actor, now=now)
        settled = _settle_conflicts(planned, actor=actor)
        notices.mark(lead.pk for lead in settled if _notified(lead))
    saved = iter(settled)
    return [c if isinstance(c, ValidationError) else next(saved) for c in checked]


def _first_claims(keys: list[list[intake.Key]], ids: list[int]) -> dict[intake.Key, int]:
    """Each key's first lead in the batch (by its reserved id): the lead that claims the key
    unless it turns out to be a duplicate. Empty without ids (a few leads: one INSERT per
    table, then the keys pointed as they are claimed)."""
    first: dict[intake.Key, int] = {}
    for own, pk in zip(keys, ids, strict=False):
        for key in own:
            first.setdefault(key, pk)
    return first


def _plan(
    valid: list[tuple[Submission, dict[str, Any]]],
    ids: list[int],
    locked: dict[intake.Key, intake.LockedKey],
    *,
    channel: str,
    actor: User | None,
    now: datetime,
) -> list[intake.Planned]:
    leads = [
        (
            fastinsert.new(
                Lead,
                id=pk,
                **cleaned,
                channel=Channel(channel),
                partner=item.partner,
                salesperson=item.salesperson,
                created_by=acting_user(actor),
                consent_marketing=item.consent_marketing,
                consent_phone=item.consent_phone,
                submitted_at=now,
                last_prospect_contact_at=now,
            ),
            cleaned,
        )
        for (item, cleaned), pk in zip(valid, _or_none(ids, len(valid)), strict=True)
    ]
    return intake.plan(leads, locked=locked, known=intake.known_originals(locked, now), now=now)


def _or_none(ids: list[int], count: int) -> list[int | None]:
    """The reserved ids, or None for each lead: its id comes as it is written."""
    return list(ids) if ids else [None] * count


def _save(
    planned: list[intake.Planned],
    keys: dict[intake.Key, intake.LockedKey],
    *,
    actor: User | None,
    now: datetime,
) -> None:
    """The leads (a duplicate within the batch gets its original's id as they are written),
    then the keys they now hold, then each lead's first event."""
    fastinsert.insert([p.lead for p in planned])
    counters.touch(p.lead.pk for p in planned)
    # These are now the leads later submissions of the same prospects are matched to: the keys
    # whose lead is not the one they were created pointing to (``_first_claims``).
    holder = {k: p.lead.pk for p in planned for k in p.claims}
    intake.point_keys(
        [(key.pk, holder.get(k)) for k, key in keys.items() if holder.get(k) != key.pointed],
        at=now,
    )
    fastinsert.insert(
        [
            fastinsert.new(
                LeadEvent,
                lead=p.lead,
                at=now,
                actor=acting_user(actor),
                kind="submitted",
                to_status=p.lead.status,
                data={
                    "channel": p.lead.channel,
                    "duplicate_of": p.lead.duplicate_of_id,
                    "review": p.lead.review_reason,
                },
            )
            for p in planned
        ]
    )
    if planned:  # for the apps above (outbound webhooks): one event for the batch
        events.publish(LeadsSubmitted(lead_ids=[p.lead.pk for p in planned]))


LAST_WINS = gettext_noop("Rule: the last referral wins.")


def _settle_conflicts(planned: list[intake.Planned], *, actor: User | None) -> list[Lead]:
    """Under the "last referral wins" rule the conflict is decided at once, audited like a
    manager's decision; otherwise it waits for one."""
    if settings.RELAIS_ATTRIBUTION_RULE != "last":
        return [p.lead for p in planned]
    return [
        conflict_resolve(
            lead=p.lead,
            attribute_to_new=True,
            actor=actor,
            note=_(LAST_WINS),
            says=later(LAST_WINS),
        )
        if p.lead.review_reason == ReviewReason.CONFLICT
        else p.lead
        for p in planned
    ]


def _notified(lead: Lead) -> bool:
    """GDPR art. 14: a referred prospect we can write to is told, unless they objected."""
    return bool(lead.email) and lead.review_reason != ReviewReason.SUPPRESSED


def lead_transition(
    *,
    lead: Lead,
    to: str,
    actor: User | None,
    note: str = "",
    rejection_reason: str = "",
    amount: Decimal | None = None,
    won_date: date | None = None,
    lost_reason: str = "",
) -> Lead:
    """Move a lead; the row lock serialises two people acting on it at once."""
    refuse_bad_text(LeadEvent, {"note": note})
    refuse_bad_text(Lead, {"lost_reason": lost_reason})
    target = LeadStatus(to)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        current = LeadStatus(locked.status)
        if target == S.ASSIGNED and target in TRANSITIONS[current]:
            # An assigned lead has an assignee: ``lead_assign`` (the routing app's assignment)
            # sets both, a bare status change would leave the lead in no one's inbox.
            raise TransitionError(
                _(
                    "A lead is assigned through routing only: route it, or choose its assignee"
                    " on the routing page."
                ),
                code="assign_through_routing",
            )
        reopening = move_check(current=current, target=target, actor=actor)
        _check_outcome(target, rejection_reason, amount, won_date, lost_reason)
        now = timezone.now()
        locked.status = target
        if target in STAMP:
            setattr(locked, STAMP[target], now)
        if target == S.REJECTED:
            locked.rejection_reason = RejectionReason(rejection_reason)
        if target == S.WON:
            locked.won_amount, locked.won_date = cents(amount or 0), won_date
        if target == S.LOST:
            locked.lost_reason = lost_reason.strip()
        locked.save()
        counters.touch([locked.pk])
        if target == S.QUALIFIED:
            events.publish(LeadQualified(lead_id=locked.pk))
        if target == S.WON:
            events.publish(LeadWon(lead_id=locked.pk))
        timeline_write(
            lead=locked,
            kind="reopened" if reopening else "status",
            actor=actor,
            at=now,
            note=note,
            from_status=current.value,
            to_status=target.value,
        )
    return locked


# Moves with no outcome to give and no event to publish: the bulk path may take them.
BULK_MOVES = frozenset({(S.QUALIFIED, S.ASSIGNED)})


def leads_move(
    *,
    leads: list[Lead],
    to: str,
    actor: User | None,
    at: datetime,
    notes: dict[int, str],
    says: dict[int, Deferred] | None = None,
    also: tuple[str, ...] = (),
) -> None:
    """Bulk ``lead_transition`` for a service that already holds the rows' locks (the router
    assigning a batch): same table of moves, one UPDATE and one INSERT for the batch. ``says``
    holds each lead's note as a deferred message (``core.deferred``), kept in the event's data
    so the timeline reads it in the reader's language (the note keeps the writer's words).
    ``also`` names integer columns (the router's ``assigned_reseller_id``) written from each
    instance in the same UPDATE: every index of a million-row table is touched once, not twice."""
    says = says or {}
    target = LeadStatus(to)
    for lead in leads:
        if (lead.status, target) not in BULK_MOVES:
            raise TransitionError(
                _("A lead cannot go from %(current)s to %(target)s; possible: %(allowed)s.")
                % {"current": S(lead.status).label, "target": target.label, "allowed": "—"},
                code="illegal_transition",
            )
    events_ = [
        fastinsert.new(
            LeadEvent,
            lead=lead,
            at=at,
            actor=acting_user(actor),
            kind="status",
            from_status=lead.status,
            to_status=target.value,
            note=notes.get(lead.pk, ""),
            data={"says": says[lead.pk]} if lead.pk in says else {},
        )
        for lead in leads
    ]
    for lead in leads:
        lead.status = target
        setattr(lead, STAMP[target], at)
    _update_moved(leads, target, at, also)
    fastinsert.insert(events_)
    if events_:  # for the apps above (outbound webhooks): one event for the batch
        events.publish(LeadsMoved([x.pk for x in leads], events_[0].from_status, target.value))
    counters.touch(lead.pk for lead in leads)


def _update_moved(
    leads: list[Lead], target: LeadStatus, at: datetime, also: tuple[str, ...]
) -> None:
    """A batch in one ``UPDATE … FROM`` (``leads.bulk.move``); a few leads through the ORM."""
    if is_batch(len(leads)):
        bulk.move(leads, status=target.value, stamp=STAMP[target], at=at, also=also)
        return
    for lead in leads:
        columns = {STAMP[target]: at, **{name: getattr(lead, name) for name in also}}
        Lead.objects.filter(pk=lead.pk).update(status=target, **columns)


def _check_outcome(
    target: str,
    rejection_reason: str,
    amount: Decimal | None,
    won_date: date | None,
    lost_reason: str,
) -> None:
    if target == S.REJECTED and rejection_reason not in RejectionReason.values:
        raise DomainError(
            _("Say why the lead is rejected."),
            code="reason_required",
            fields={"rejection_reason": _("Choose a reason.")},
        )
    if target == S.WON:
        if amount is None or amount < 0:
            raise DomainError(
                _("Give the amount won, excluding VAT."),
                code="amount_required",
                fields={"amount": _("An amount of 0 or more is required.")},
            )
        if won_date is None or won_date > timezone.localdate():
            raise DomainError(
                _("Give the date the deal was won (not in the future)."),
                code="date_required",
                fields={"won_date": _("A past or present date is required.")},
            )
    if target == S.LOST and not lost_reason.strip():
        raise DomainError(
            _("Say why the lead was lost."),
            code="reason_required",
            fields={"lost_reason": _("A reason is required.")},
        )


def conflict_resolve(
    *,
    lead: Lead,
    attribute_to_new: bool,
    actor: User | None,
    note: str = "",
    says: Deferred | None = None,
) -> Lead:
    """A manager settles a lead claimed by two partners: the first referral keeps it, or this one
    takes it (and the first is rejected as a duplicate of it). The decision is audited. ``says``:
    the system's reason as a deferred message, when the rule decided (``note`` in its words)."""
    refuse_bad_text(LeadEvent, {"note": note})
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.review_reason != ReviewReason.CONFLICT or locked.duplicate_of_id is None:
            raise TransitionError(
                _("This lead has no attribution conflict to settle."), code="no_conflict"
            )
        original = Lead.objects.select_for_update().get(pk=locked.duplicate_of_id)
        now = timezone.now()
        loser, winner = (original, locked) if attribute_to_new else (locked, original)
        # Later submissions of this prospect are matched to the lead that now holds it.
        ProspectKey.objects.filter(lead=loser).update(
            lead=winner, lead_submitted_at=winner.submitted_at
        )
        winner.review_reason, winner.duplicate_of = ReviewReason.NONE, None
        winner.save(update_fields=["review_reason", "duplicate_of"])
        if loser.status not in (S.WON, S.LOST, S.REJECTED):
            loser.status, loser.rejected_at = S.REJECTED, now
        loser.rejection_reason, loser.duplicate_of, loser.review_reason = (
            RejectionReason.DUPLICATE,
            winner,
            ReviewReason.NONE,
        )
        loser.save()
        for one in (winner, loser):
            timeline_write(
                lead=one,
                kind="attribution",
                actor=actor,
                at=now,
                note=note,
                winner=winner.pk,
                loser=loser.pk,
                **({"says": says} if says else {}),
            )
        audit_record(
            subject=winner,
            action="attribution",
            actor=actor,
            target=f"lead {winner.pk}",
            changes={"partner": [loser.partner_id, winner.partner_id]},
            reason=note,
        )
    return locked


def hold_release(*, lead: Lead, actor: User | None, note: str = "") -> Lead:
    """A manager clears a self-referral or suppression hold after checking it."""
    refuse_bad_text(LeadEvent, {"note": note})
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.review_reason not in (ReviewReason.SELF_REFERRAL, ReviewReason.SUPPRESSED):
            raise TransitionError(_("This lead is not held."), code="not_held")
        before = locked.review_reason
        locked.review_reason = ReviewReason.NONE
        locked.save(update_fields=["review_reason"])
        timeline_write(
            lead=locked, kind="released", actor=actor, at=timezone.now(), note=note, review=before
        )
        audit_record(
            subject=locked,
            action="released",
            actor=actor,
            target=f"lead {locked.pk}",
            changes={"review_reason": [before, ""]},
            reason=note,
        )
    return locked


def _money_event(
    lead: Lead, kind: str, amount: Decimal, actor: User | None, note: str
) -> LeadEvent:
    return LeadEvent.objects.create(
        lead=lead,
        at=timezone.now(),
        actor=acting_user(actor),
        kind=kind,
        note=note,
        data={"amount": str(amount)},
    )


def _positive(amount: Decimal | None, field: str) -> Decimal:
    if amount is None or amount <= 0:
        raise DomainError(
            _("Give an amount above zero, excluding VAT."),
            code="amount_required",
            fields={field: _("An amount above zero is required.")},
        )
    return cents(amount)


def deal_collect(*, lead: Lead, amount: Decimal, actor: User | None, note: str = "") -> LeadEvent:
    """Money received on a won deal (excl. VAT): commissions paid on collection follow it."""
    refuse_bad_text(LeadEvent, {"note": note})
    amount = _positive(amount, "amount")
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.status != S.WON:
            raise DomainError(_("Only a won deal collects money."), code="not_won")
        outstanding = (locked.won_amount or 0) - locked.collected_amount - locked.refunded_amount
        if amount > outstanding:
            raise DomainError(
                _("%(amount)s is more than the %(left)s still to collect on this deal.")
                % {"amount": format_money(amount), "left": format_money(outstanding)},
                code="over_collected",
                fields={"amount": _("Too much.")},
            )
        Lead.objects.filter(pk=locked.pk).update(collected_amount=locked.collected_amount + amount)
        event = _money_event(locked, "collected", amount, actor, note)
        events.publish(DealCollected(lead_id=locked.pk, event_id=event.pk))
    return event


def deal_refund(*, lead: Lead, amount: Decimal, actor: User | None, reason: str) -> LeadEvent:
    """A won deal cancelled (its whole amount) or partly refunded: commissions already earned on
    it are taken back in proportion, by negative lines (never by editing them)."""
    refuse_bad_text(LeadEvent, {"reason": reason}, limits={"reason": max_chars(LeadEvent, "note")})
    amount = _positive(amount, "amount")
    if not reason.strip():
        raise DomainError(
            _("Say why the deal is refunded."),
            code="reason_required",
            fields={"reason": _("Required.")},
        )
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.status != S.WON:
            raise DomainError(_("Only a won deal can be refunded."), code="not_won")
        left = (locked.won_amount or 0) - locked.refunded_amount
        if amount > left:
            raise DomainError(
                _("%(amount)s is more than the %(left)s left on this deal.")
                % {"amount": format_money(amount), "left": format_money(left)},
                code="over_refunded",
                fields={"amount": _("Too much.")},
            )
        Lead.objects.filter(pk=locked.pk).update(refunded_amount=locked.refunded_amount + amount)
        event = _money_event(locked, "refunded", amount, actor, reason.strip())
        events.publish(DealRefunded(lead_id=locked.pk, event_id=event.pk))
    return event
