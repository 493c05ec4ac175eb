"""A challenge's e-mails, sent by the task worker: the teaser (from the teaser date until the
start), the launch (once it runs), each participant's progress at the challenge's rhythm, a
relaunch when participation drops, and the winners' announcement at the close.

Each e-mail goes at most once per participant and occasion, the way the engagement app's
automations send (``engagement.automations._send_batch``): the ``ChallengeMessage`` row is
INSERTed "sending" and COMMITTED before the mail leaves, the unique (participant, occasion)
refusing it to a second run; then it is marked sent or failed. A worker killed in between leaves
one "sending" row, reported failed after ``STALE_AFTER`` and never sent again. The messages are
the engagement app's programme e-mails (``mailing.programme_message``: the partner's language,
the unsubscribe headers and links), on the "challenges" topic a partner may refuse.

The relaunch rule: once a challenge has run a full week, the share of its participants who made
progress in the last 7 days is measured at each pass; below the challenge's threshold, a drop
opens (a ``Relaunch`` row, one open at most: a partial unique constraint) and its e-mail goes to
the participants without progress; the drop closes when the share is back at the threshold, so
the rule fires once per drop."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.challenges.choices import ChallengeStatus, Occasion
from relais.challenges.models import (
    Challenge,
    ChallengeCredit,
    ChallengeMessage,
    Participant,
    Relaunch,
)
from relais.challenges.results import challenge_winners
from relais.challenges.selectors import _order
from relais.core import scheduling
from relais.core.formatting import format_money, format_number, format_ratio
from relais.core.http import absolute_url
from relais.engagement import mailing
from relais.engagement.automations import INTERRUPTED, STALE_AFTER
from relais.engagement.choices import RecipientState, Topic
from relais.engagement.models import Preference
from relais.engagement.preferences import blocked, suppressed_among
from relais.partners.models import Partner

log = logging.getLogger(__name__)

BATCH = 100
WINDOW = timedelta(days=7)  # "made progress in the last 7 days"
WINNERS_WITHIN = timedelta(days=14)  # a challenge ended longer ago announces nothing any more
RELAUNCH_SENDS_FOR = timedelta(days=1)  # a drop's e-mails go out the day it opens
EVERY = timedelta(minutes=15)


# --- Participation and the relaunch rule -------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    active: int
    total: int

    @property
    def percent(self) -> Decimal:
        if not self.total:
            return Decimal("0.00")
        return (Decimal(self.active) * 100 / self.total).quantize(Decimal("0.01"))


def _progressed(challenge: Challenge, now: datetime) -> QuerySet[ChallengeCredit]:
    return ChallengeCredit.objects.filter(
        participant__challenge=challenge, at__gt=now - WINDOW, at__lte=now
    )


def challenge_participation(*, challenge: Challenge, now: datetime) -> Participation:
    """How many participants made progress in the 7 days before ``now`` (a credit from a lead
    event then, or a figure the trainings' recount moved: ``progressed_at``), out of all. Two
    COUNTs."""
    credited = _progressed(challenge, now).filter(participant=OuterRef("pk"))
    moved = Q(progressed_at__gt=now - WINDOW, progressed_at__lte=now)
    active = challenge.participants.filter(Q(Exists(credited)) | moved).count()
    return Participation(active=active, total=challenge.participants.count())


def _rule_applies(challenge: Challenge, now: datetime) -> bool:
    """A full week of the challenge behind ``now``, and a threshold set."""
    today = timezone.localdate(now)
    return (
        challenge.status == ChallengeStatus.RUNNING
        and challenge.relaunch_below > 0
        and (today - challenge.starts_on).days >= WINDOW.days
        and today <= challenge.ends_on
    )


def relaunch_check(*, challenge: Challenge, now: datetime) -> Relaunch | None:
    """Open a drop when participation falls below the threshold (returns it), close the open
    one when it is back. Safe to run twice at once: the one-open-drop constraint refuses the
    second INSERT."""
    if not _rule_applies(challenge, now):
        return None
    figure = challenge_participation(challenge=challenge, now=now)
    open_drop = challenge.relaunches.filter(recovered_at__isnull=True).first()
    below = figure.total > 0 and figure.percent < challenge.relaunch_below
    if not below:
        if open_drop is not None:
            Relaunch.objects.filter(pk=open_drop.pk).update(recovered_at=now)
        return None
    if open_drop is not None:
        return None  # the same drop: fired already
    number = (challenge.relaunches.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return Relaunch.objects.create(
                challenge=challenge,
                number=number,
                fired_at=now,
                active=figure.active,
                total=figure.total,
                share=figure.percent,
                threshold=challenge.relaunch_below,
            )
    except IntegrityError:  # another worker opened it meanwhile
        return None


# --- Who gets what, now --------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    challenge: Challenge
    occasion: str  # as stored: "teaser", "progress-2", "relaunch-1"…
    kind: Occasion
    participants: QuerySet[Participant]


def _due(challenge: Challenge, now: datetime) -> Iterator[Due]:
    today = timezone.localdate(now)
    everyone = challenge.participants.all()
    status = challenge.status
    teasing = challenge.teaser_on is not None and challenge.teaser_on <= today < challenge.starts_on
    if status == ChallengeStatus.SCHEDULED and teasing:
        yield Due(challenge, Occasion.TEASER, Occasion.TEASER, everyone)
    if status == ChallengeStatus.RUNNING and today <= challenge.ends_on:
        yield Due(challenge, Occasion.LAUNCH, Occasion.LAUNCH, everyone)
        every = challenge.progress_every_days
        round_ = (today - challenge.starts_on).days // every if every else 0
        if round_ >= 1:
            yield Due(challenge, f"progress-{round_}", Occasion.PROGRESS, everyone)
        drop = challenge.relaunches.filter(
            recovered_at__isnull=True, fired_at__gt=now - RELAUNCH_SENDS_FOR
        ).first()
        if drop is not None:
            idle = everyone.exclude(
                Exists(
                    ChallengeCredit.objects.filter(
                        participant=OuterRef("pk"), at__gt=now - WINDOW, at__lte=now
                    )
                )
            ).exclude(progressed_at__gt=now - WINDOW, progressed_at__lte=now)
            yield Due(challenge, f"relaunch-{drop.number}", Occasion.RELAUNCH, idle)
    if status == ChallengeStatus.ENDED and now - WINNERS_WITHIN <= _end_of(challenge):
        yield Due(challenge, Occasion.WINNERS, Occasion.WINNERS, everyone)


def _end_of(challenge: Challenge) -> datetime:
    zone = timezone.get_current_timezone()
    return datetime.combine(challenge.ends_on + timedelta(days=1), datetime.min.time(), zone)


def _not_sent(due: Due) -> QuerySet[Participant]:
    sent = ChallengeMessage.objects.filter(participant=OuterRef("pk"), occasion=due.occasion)
    return due.participants.exclude(Exists(sent)).order_by("pk")


# --- Writing ---------------------------------------------------------------------------------


@dataclass
class Context:
    """What one occasion's messages read once: the ranks and the winners."""

    due: Due
    today: date
    ranks: dict[int, int]
    winners: dict[int, int]  # participant id → rank
    winner_names: list[str]


def _context(due: Due, now: datetime) -> Context:
    challenge = due.challenge
    ranks: dict[int, int] = {}
    winners: dict[int, int] = {}
    names: list[str] = []
    if due.kind in (Occasion.PROGRESS, Occasion.RELAUNCH, Occasion.WINNERS):
        board = challenge.participants.order_by(*_order(challenge)).values_list("pk", flat=True)
        ranks = {pk: n + 1 for n, pk in enumerate(board.iterator(chunk_size=5000))}
    if due.kind == Occasion.WINNERS:
        for w in challenge_winners(challenge=challenge):
            winners[w.participant.pk] = w.rank
            shown = w.participant.display_name
            names.append(shown if challenge.show_names else w.participant.pseudonym)
    return Context(due, timezone.localdate(now), ranks, winners, names)


def _figure(challenge: Challenge, value: Decimal, language: str) -> str:
    if challenge.is_money:
        return format_money(value, language)
    return format_number(value, 0, language)


def _words(ctx: Context, p: Participant, language: str) -> tuple[str, str]:
    """The subject and body for one participant, in their language."""
    c = ctx.due.challenge
    url = absolute_url(reverse("my_challenges:detail", args=[c.pk]))
    today = ctx.today
    values: dict[str, Any] = {
        "name": c.name,
        "theme": c.theme,
        "start": c.starts_on.strftime("%d/%m/%Y"),
        "end": c.ends_on.strftime("%d/%m/%Y"),
        "target": _figure(c, p.target, language),
        "progress": _figure(c, p.progress, language),
        "percent": format_ratio(p.share, 0, language),
        "metric": c.get_metric_display(),
        "rank": ctx.ranks.get(p.pk, "—"),
        "total": len(ctx.ranks),
        "days": max(0, (c.ends_on - today).days + 1),
        "url": url,
    }
    kind = ctx.due.kind
    if kind == Occasion.TEASER:
        subject = _("Coming soon: %(name)s") % values
        body = _(
            "Something is coming for you: %(name)s starts on %(start)s.\n\n%(story)s\n\n"
            "Your personal target will be waiting for you here: %(url)s"
        ) % {**values, "story": c.story or c.theme}
    elif kind == Occasion.LAUNCH:
        subject = _("%(name)s starts now") % values
        body = (
            _(
                "%(name)s runs from %(start)s to %(end)s (%(metric)s).\n\n"
                "Your personal target: %(target)s. Follow your progress and your rank: %(url)s"
            )
            % values
        )
    elif kind == Occasion.PROGRESS:
        subject = _("%(name)s: you are at %(percent)s of your target") % values
        body = (
            _(
                "Your progress: %(progress)s of your target of %(target)s (%(percent)s).\n"
                "Your rank: %(rank)s of %(total)s. Days left: %(days)s.\n\n%(url)s"
            )
            % values
        )
    elif kind == Occasion.RELAUNCH:
        subject = _("%(name)s: there is still time") % values
        body = (
            _(
                "You have made no progress in %(name)s this week. %(days)s days are left to "
                "reach your target of %(target)s; you are at %(progress)s.\n\n"
                "One lead can change your rank: %(url)s"
            )
            % values
        )
    else:
        values["winners"] = ", ".join(ctx.winner_names) or "—"
        subject = _("%(name)s: the winners") % values
        if p.pk in ctx.winners:
            lead = _("Congratulations: you are among the winners (rank %(rank)s)!") % {
                "rank": ctx.winners[p.pk]
            }
        else:
            lead = _("Your result: %(progress)s of %(target)s (%(percent)s), rank %(rank)s.") % (
                values
            )
        body = _("The winners of %(name)s: %(winners)s.") % values + f"\n\n{lead}\n\n{url}"
    return subject, body


# --- Sending -----------------------------------------------------------------------------------


@dataclass
class _Outgoing:
    row: ChallengeMessage
    message: EmailMultiAlternatives


def _address(p: Participant) -> str:
    """A reseller's staff member taking part in their own name gets their own e-mail; anyone
    else the partner's (the reseller's preferences and unsubscribe apply to both)."""
    if p.member_id and p.member:
        return p.member.user.email or ""
    return p.partner.email or ""


def _prepare(
    ctx: Context, batch: list[Participant]
) -> tuple[list[ChallengeMessage], list[_Outgoing]]:
    partners = {p.partner_id: p.partner for p in batch}
    stored = Preference.objects.filter(partner_id__in=list(partners)).in_bulk()
    suppressed = suppressed_among([_address(p) for p in batch])
    skipped, outgoing = [], []
    for p in batch:
        partner: Partner = p.partner
        preference = stored.get(partner.pk) or Preference(partner=partner)
        email = _address(p)
        reason = blocked(preference, email, Topic.CHALLENGES, email.lower() in suppressed)
        row = ChallengeMessage(participant=p, occasion=ctx.due.occasion)
        if reason:
            row.state, row.skip_reason = RecipientState.SKIPPED, reason
            skipped.append(row)
            continue
        with translation.override(preference.language):
            subject, body = _words(ctx, p, preference.language)
        message = mailing.programme_message(
            partner=partner,
            email=email,
            language=preference.language,
            topic=Topic.CHALLENGES,
            subject=subject,
            body=body,
        )
        row.state = RecipientState.SENDING
        row.message_id = mailing.message_id(message)
        outgoing.append(_Outgoing(row, message))
    return skipped, outgoing


def _claim(row: ChallengeMessage) -> bool:
    """Write the row "sending" and commit it; False when another run holds the pair."""
    row.at = timezone.now()
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _deliver(connection: Any, item: _Outgoing) -> str:
    claimed = ChallengeMessage.objects.filter(pk=item.row.pk)
    try:
        connection.send_messages([item.message])
    except Exception as exc:  # any refusal of the server is this row's failure
        log.warning("Challenge e-mail %s failed: %s", item.row.pk, exc)
        claimed.update(state=RecipientState.FAILED, failure=str(exc)[:300], at=timezone.now())
        return "failed"
    claimed.update(
        state=RecipientState.SENT, message_id=mailing.message_id(item.message), at=timezone.now()
    )
    return "sent"


def _send_batch(ctx: Context, batch: list[Participant], tally: Counter[str]) -> None:
    skipped, outgoing = _prepare(ctx, batch)
    stamp = timezone.now()
    for row in skipped:
        row.at = stamp
    ChallengeMessage.objects.bulk_create(skipped, ignore_conflicts=True)
    tally["skipped"] += len(skipped)
    if not outgoing:
        return
    connection = mailers.default
    try:
        connection.open()
    except Exception:  # the server unreachable: nothing claimed, the next run sends them
        tally["unreachable"] += len(outgoing)
        return
    try:
        for item in outgoing:
            if _claim(item.row):
                tally[_deliver(connection, item)] += 1
    finally:
        connection.close()


def _send(due: Due, now: datetime, tally: Counter[str]) -> None:
    pending = _not_sent(due).select_related("partner", "member__user")
    if not pending.exists():
        return
    ctx = _context(due, now)
    after = 0
    while batch := list(pending.filter(pk__gt=after)[:BATCH]):
        _send_batch(ctx, batch, tally)
        after = batch[-1].pk


def _report_interrupted(now: datetime) -> int:
    return ChallengeMessage.objects.filter(
        state=RecipientState.SENDING, at__lt=now - STALE_AFTER
    ).update(state=RecipientState.FAILED, failure=INTERRUPTED)


def challenges_communicate(*, now: datetime) -> str:
    """The pass: for each live challenge, the relaunch rule, then every e-mail due now to the
    participants who have not had it. Safe to run at any time and by two workers at once; must
    not run inside a transaction (each row is committed before its mail leaves)."""
    tally: Counter[str] = Counter(interrupted=_report_interrupted(timezone.now()))
    live = Challenge.objects.filter(
        status__in=[ChallengeStatus.SCHEDULED, ChallengeStatus.RUNNING, ChallengeStatus.ENDED],
        ends_on__gte=timezone.localdate(now) - WINNERS_WITHIN,
    ).order_by("pk")
    for challenge in live:
        if relaunch_check(challenge=challenge, now=now) is not None:
            tally["relaunches"] += 1
        for due in _due(challenge, now):
            _send(due, now, tally)
    summary = (
        f"{tally['sent']} sent, {tally['skipped']} skipped, {tally['failed']} failed, "
        f"{tally['interrupted']} interrupted, {tally['relaunches']} relaunches"
    )
    if tally["unreachable"]:
        summary += f"; mail server unreachable, {tally['unreachable']} left for the next run"
    return summary


def communicate_job(now: datetime) -> str:
    """The scheduler calls a job with ``now`` by position; the service takes it by name."""
    return challenges_communicate(now=now)


def messages_summary(*, challenge: Challenge) -> list[tuple[str, str, int]]:
    """(occasion, state, count) of the challenge's e-mails, for its page (one grouped query)."""
    rows = (
        ChallengeMessage.objects.filter(participant__challenge=challenge)
        .values_list("occasion", "state")
        .annotate(n=Count("pk"))
        .order_by("occasion", "state")
    )
    return [(o, s, n) for o, s, n in rows]


def register() -> None:
    scheduling.register("challenges.messages", every=EVERY, job=communicate_job)
