"""Every write on rewards: a challenge's rewards and budget, the awarding when it closes (once per
reward and participant, whether the close runs twice or two closes run at once), the staff member
a reseller's award goes to, and the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.challenges.choices import ChallengeStatus, Mechanic, Ranking
from relais.challenges.models import Award, Challenge, Participant, Reward, RewardBudget, RewardItem
from relais.challenges.rewards.choices import ITEM_KINDS, RewardKind
from relais.commissions.services.rewards import reward_line_issue
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.core.money import cents

if TYPE_CHECKING:
    from relais.accounts.models import User

LIVE = (ChallengeStatus.DRAFT, ChallengeStatus.SCHEDULED, ChallengeStatus.RUNNING)
HUNDRED = Decimal(100)


def _amount(value: Decimal | str | None, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = cents(str(value))
    except (ValueError, InvalidOperation):
        raise DomainError(_("Amount: give a number."), fields={field: "invalid"}) from None
    if amount <= 0:
        raise DomainError(_("Amount: it must be above zero."), fields={field: "positive"})
    return amount


def _check_target(challenge: Challenge, place: int | None, level: int | None) -> None:
    """Which participants a reward goes to must fit the challenge's mechanic."""
    if challenge.mechanic == Mechanic.RANKING:
        if level is not None:
            raise DomainError(_("Level: a ranking gives rewards by place."), fields={"level": "x"})
        if place is not None and not 1 <= place <= challenge.top_n:
            raise DomainError(
                _("Place: between 1 and %(n)s (the challenge's winners).") % {"n": challenge.top_n},
                fields={"place": "range"},
            )
    elif challenge.mechanic == Mechanic.LEVELS:
        if level not in challenge.level_list():
            raise DomainError(
                _("Level: one of the challenge's levels (%(levels)s %%).")
                % {"levels": challenge.levels},
                fields={"level": "choice"},
            )
    elif place is not None or level is not None:
        raise DomainError(
            _(
                "A threshold challenge rewards everyone who reaches their target: "
                "no place or level."
            ),
            fields={"place": "x"},
        )


def reward_add(
    *,
    challenge: Challenge,
    kind: str,
    actor: User | None,
    item: RewardItem | None = None,
    amount: Decimal | str | None = None,
    place: int | None = None,
    level: int | None = None,
) -> Reward:
    """A reward of a challenge not yet awarded: a cash bonus (an amount), a catalogue gift or
    experience (an item of that kind), or a gift voucher (an item or a face value)."""
    kind = RewardKind(kind)
    if challenge.status not in LIVE and challenge.awards.exists():
        raise TransitionError(_("The rewards are awarded: they stay as they were."))
    value = _amount(amount, "amount")
    if kind == RewardKind.CASH:
        if value is None:
            raise DomainError(_("Amount: a cash bonus needs one."), fields={"amount": "required"})
        item = None
    elif item is None and kind != RewardKind.VOUCHER:
        raise DomainError(_("Item: choose one from the catalogue."), fields={"item": "required"})
    elif item is not None:
        if item.kind != kind or not item.active:
            raise DomainError(
                _("Item: %(item)s is not an offered %(kind)s.")
                % {"item": item, "kind": kind.label},
                fields={"item": "kind"},
            )
        value = None
    elif value is None:
        raise DomainError(
            _("Amount: give the voucher's face value or choose one from the catalogue."),
            fields={"amount": "required"},
        )
    _check_target(challenge, place, level)
    reward = Reward.objects.create(
        challenge=challenge, kind=kind, item=item, amount=value, place=place, level=level
    )
    audit_record(subject=challenge, action="reward_added", actor=actor, target=str(reward))
    return reward


def reward_remove(*, reward: Reward, actor: User | None) -> None:
    if reward.awards.exists():
        raise TransitionError(_("This reward is awarded: it stays."), code="awarded")
    audit_record(subject=reward.challenge, action="reward_removed", actor=actor, target=str(reward))
    reward.delete()


def budget_set(*, challenge: Challenge, amount: Decimal | str, actor: User | None) -> RewardBudget:
    value = _amount(amount, "budget")
    if value is None:
        raise DomainError(_("Budget: give an amount."), fields={"budget": "required"})
    budget, _created = RewardBudget.objects.update_or_create(
        challenge=challenge, defaults={"amount": value}
    )
    audit_record(subject=challenge, action="reward_budget", actor=actor, target=str(value))
    return budget


def reward_item_create(
    *,
    name: str,
    kind: str,
    value_incl_vat: Decimal | str,
    value_excl_vat: Decimal | str,
    actor: User | None,
    description: str = "",
) -> RewardItem:
    """A catalogue item; a voucher bears no VAT, so its two values must be the same."""
    kind = RewardKind(kind)
    if kind not in ITEM_KINDS:
        raise DomainError(_("Kind: a cash bonus is no catalogue item."), fields={"kind": "cash"})
    if not name.strip():
        raise DomainError(_("Name: give one."), fields={"name": "required"})
    incl = _amount(value_incl_vat, "value_incl_vat")
    excl = _amount(value_excl_vat, "value_excl_vat")
    if incl is None or excl is None:
        raise DomainError(_("Give both values."), fields={"value_incl_vat": "required"})
    if excl > incl:
        raise DomainError(
            _("Value excl. VAT: it is above the value incl. VAT."),
            fields={"value_excl_vat": "above"},
        )
    if kind == RewardKind.VOUCHER and excl != incl:
        raise DomainError(
            _("Value excl. VAT: a gift voucher bears no VAT, both values are its face value."),
            fields={"value_excl_vat": "voucher"},
        )
    item = RewardItem.objects.create(
        name=name.strip(),
        kind=kind,
        description=description,
        value_incl_vat=incl,
        value_excl_vat=excl,
    )
    audit_record(subject=item, action="created", actor=actor)
    return item


@dataclass(frozen=True)
class Winner:
    participant_id: int
    partner_id: int
    rank: int
    share: Decimal
    person: str = ""  # a reseller's staff member taking part in their own name


def _ordered(challenge: Challenge) -> list[Winner]:
    """Every participant in the board's order (as ``selectors.leaderboard`` ranks them)."""
    order = (
        ["-progress", "pk"]
        if challenge.ranking == Ranking.ABSOLUTE
        else ["-share", "-progress", "pk"]
    )
    rows = Participant.objects.filter(challenge=challenge).order_by(*order)
    fields = (
        "pk",
        "partner_id",
        "share",
        "progress",
        "member__user__first_name",
        "member__user__last_name",
        "member__user__email",
    )
    return [
        Winner(pk, partner, n + 1, share, f"{first or ''} {last or ''}".strip() or email or "")
        for n, (pk, partner, share, progress, first, last, email) in enumerate(
            rows.values_list(*fields).iterator(chunk_size=2000)
        )
        if progress > 0  # nobody wins with nothing done
    ]


def _highest_level(challenge: Challenge, share: Decimal) -> int | None:
    reached = [lv for lv in challenge.level_list() if share * HUNDRED >= lv]
    return max(reached) if reached else None


def winners_of(*, challenge: Challenge, reward: Reward, ordered: list[Winner]) -> list[Winner]:
    """Who a reward goes to, by the mechanic: the ranking's place (or each of the first N), each
    participant at or above their target, or each whose highest level reached is the reward's."""
    if challenge.mechanic == Mechanic.RANKING:
        top = ordered[: challenge.top_n]
        return [w for w in top if reward.place in (None, w.rank)]
    if challenge.mechanic == Mechanic.THRESHOLD:
        return [w for w in ordered if w.share >= 1]
    return [w for w in ordered if _highest_level(challenge, w.share) == reward.level]


def rewards_award(*, challenge: Challenge, actor: User | None, on: date | None = None) -> int:
    """Give an ended challenge's rewards to its winners; returns the awards made. Run twice, or
    twice at once, it gives each reward to each winner once: the challenge's row is locked for
    the whole awarding, the awards already made are skipped, and ``award_once`` (reward,
    participant) refuses a duplicate that would slip through. A cash award's payable line is
    made in the same transaction, so an award never lacks its line nor a line its award."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status != ChallengeStatus.ENDED:
            raise TransitionError(
                _("Rewards are awarded once the challenge has ended."), code="not_ended"
            )
        rewards = list(locked.rewards.select_related("item"))
        if not rewards:
            return 0
        done = set(
            Award.objects.filter(challenge=locked).values_list("reward_id", "participant_id")
        )
        ordered = _ordered(locked)
        made = []
        for reward in rewards:
            for w in winners_of(challenge=locked, reward=reward, ordered=ordered):
                if (reward.pk, w.participant_id) in done:
                    continue
                made.append(_award(locked, reward, w, on, actor))
        if made:
            audit_record(
                subject=locked, action="rewards_awarded", actor=actor, target=str(len(made))
            )
    return len(made)


def _award(challenge: Challenge, reward: Reward, w: Winner, on: date, actor: User | None) -> Award:
    award = Award(
        reward=reward,
        participant_id=w.participant_id,
        challenge=challenge,
        partner_id=w.partner_id,
        person=w.person[:120],  # a staff member's award names them: taxed per person
        kind=reward.kind,
        label=str(reward),
        value_incl_vat=reward.value_incl_vat,
        value_excl_vat=reward.value_excl_vat,
        rank=w.rank,
        share=w.share,
        awarded_on=on,
    )
    if reward.kind == RewardKind.CASH:
        award.line = reward_line_issue(
            partner=award.partner,
            key=f"{challenge.pk}:{reward.pk}:{w.participant_id}",
            amount=reward.value_incl_vat,
            on=on,
            detail={"challenge": challenge.pk, "challenge_name": challenge.name, "rank": w.rank},
            actor=actor,
        )
    award.save()
    return award


def award_person_set(*, award: Award, person: str, actor: User | None) -> Award:
    """Name the reseller's staff member who receives a participant's rewards of the challenge
    (all of them: the participant is the reseller): rewards are taxed per person."""
    person = person.strip()[:120]
    old = award.person
    same = Award.objects.filter(
        challenge_id=award.challenge_id, participant_id=award.participant_id
    )
    same.update(person=person)
    award.person = person
    audit_record(subject=award, action="person", actor=actor, changes={"person": [old, person]})
    return award


def rewards_award_due(*, now: datetime) -> str:
    """The scheduler's close: each ended challenge with rewards and no award yet is awarded
    (the service is idempotent, so a job run twice gives nothing twice)."""
    due = (
        Challenge.objects.filter(status=ChallengeStatus.ENDED, rewards__isnull=False)
        .exclude(awards__isnull=False)
        .distinct()
    )
    made = sum(rewards_award(challenge=c, actor=None, on=timezone.localdate(now)) for c in due)
    return f"{made} challenge rewards awarded"


def award_job(now: datetime) -> str:
    """``core.scheduling`` calls a job with ``now`` by position; the service takes it by name."""
    return rewards_award_due(now=now)
