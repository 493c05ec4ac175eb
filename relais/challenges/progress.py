"""Progress from the leads' domain events: a lead submitted, qualified or won during a running
challenge adds to its introducer's progress in each challenge counting that metric.

A handler may run twice for one event (see ``core.events``): each addition is a
``ChallengeCredit`` row, unique per participant, lead and metric, and only the credits not found
are added. Whatever the number of running challenges, an event costs the same few queries: the
leads, the participants (locked), the credits already there, one INSERT, one UPDATE."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from relais.challenges.choices import ChallengeMetric, ChallengeStatus
from relais.challenges.models import Challenge, ChallengeCredit, Participant
from relais.challenges.services import challenges_roll, share_of
from relais.core import events, scheduling
from relais.leads.events import LeadQualified, LeadsMoved, LeadsSubmitted, LeadWon
from relais.leads.models import Lead
from relais.training.models import Certificate

M = ChallengeMetric
TRAININGS_EVERY = timedelta(minutes=15)


@dataclass(frozen=True)
class Gain:
    lead_id: int
    partner_id: int
    at: datetime
    metric: str
    amount: Decimal
    # Who worked the lead, first match wins for a reseller's staff participant: the user who
    # entered it (``created_by``), then the salesperson it is assigned to.
    users: tuple[int | None, ...] = ()


WORKERS = ("created_by_id", "assigned_salesperson_id")


def credit(gains: list[Gain]) -> int:
    """Add each gain to the running participants it belongs to, once; returns the credits added."""
    if not gains:
        return 0
    metrics = {g.metric for g in gains}
    users = {u for g in gains for u in g.users if u}
    with transaction.atomic():
        # Locked so two events for one participant add up instead of overwriting each other.
        # A staff member's row comes only when they worked one of the leads: the same one
        # query whatever the reseller's size.
        participants: list[Participant] = list(
            Participant.objects.select_for_update(of=("self",))
            .filter(
                Q(member__isnull=True) | Q(member__user_id__in=users),
                partner_id__in={g.partner_id for g in gains},
                challenge__status=ChallengeStatus.RUNNING,
                challenge__metric__in=metrics,
            )
            .select_related("challenge")
            .annotate(member_user=F("member__user_id"))
            .only(
                "pk",
                "partner_id",
                "member_id",
                "target",
                "progress",
                "challenge__metric",
                "challenge__starts_on",
                "challenge__ends_on",
            )
        )
        if not participants:
            return 0
        seen = set(
            ChallengeCredit.objects.filter(
                participant__in=[p.pk for p in participants],
                lead_id__in={g.lead_id for g in gains},
                metric__in=metrics,
            ).values_list("participant_id", "lead_id", "metric")
        )
        new, changed = _match(gains, participants, seen)
        if not new:
            return 0
        ChallengeCredit.objects.bulk_create(new)
        now = timezone.now()
        for p in changed:
            p.share = share_of(progress=p.progress, target=p.target)
            p.updated_at = now
        Participant.objects.bulk_update(changed, ["progress", "share", "updated_at"])
    return len(new)


def _match(
    gains: list[Gain], participants: list[Participant], seen: set[tuple[int, int, str]]
) -> tuple[list[ChallengeCredit], list[Participant]]:
    """The credits still to add (within each challenge's period), and the participants whose
    progress they raise (raised here, in memory)."""
    by_partner: dict[int, dict[int, list[Participant]]] = {}
    for row in participants:
        by_partner.setdefault(row.partner_id, {}).setdefault(row.challenge_id, []).append(row)
    new, changed = [], {}
    for g in gains:
        day = timezone.localdate(g.at)
        for rows in by_partner.get(g.partner_id, {}).values():
            p = _who(rows, g)
            if p is None:
                continue
            c = p.challenge
            key = (p.pk, g.lead_id, g.metric)
            if c.metric != g.metric or key in seen or not c.starts_on <= day <= c.ends_on:
                continue
            seen.add(key)
            new.append(
                ChallengeCredit(
                    participant=p, lead_id=g.lead_id, metric=g.metric, amount=g.amount, at=g.at
                )
            )
            p.progress += g.amount
            changed[p.pk] = p
    return new, list(changed.values())


def _who(rows: list[Participant], g: Gain) -> Participant | None:
    """The one participant of a challenge a partner's lead counts for: the partner (an
    introducer, a reseller's team, a reseller with no staff enrolled), else the staff member
    who worked it — none when the lead names no staff member of the reseller."""
    team = [p for p in rows if p.member_id is None]
    if team:
        return team[0]
    staff = {getattr(p, "member_user", None): p for p in rows}
    for user in g.users:
        if user in staff:
            return staff[user]
    return None


def on_leads_submitted(event: LeadsSubmitted) -> None:
    rows = Lead.objects.filter(pk__in=event.lead_ids, partner__isnull=False).values_list(
        "pk", "partner_id", "submitted_at", *WORKERS
    )
    credit(
        [
            Gain(pk, partner, at, M.SUBMITTED, Decimal(1), tuple(users))
            for pk, partner, at, *users in rows
            if partner
        ]
    )


def on_lead_qualified(event: LeadQualified) -> None:
    rows = Lead.objects.filter(
        pk=event.lead_id, partner__isnull=False, qualified_at__isnull=False
    ).values_list("pk", "partner_id", "qualified_at", *WORKERS)
    credit(
        [
            Gain(pk, partner, at, M.QUALIFIED, Decimal(1), tuple(users))
            for pk, partner, at, *users in rows
            if at
        ]
    )


def on_lead_won(event: LeadWon) -> None:
    """A deal won counts once as a deal and for its amount excl. VAT (``won_amount``)."""
    rows = Lead.objects.filter(
        pk=event.lead_id, partner__isnull=False, won_at__isnull=False
    ).values_list("pk", "partner_id", "won_at", "won_amount", *WORKERS)
    gains = []
    for pk, partner, at, amount, *users in rows:
        if at is None:  # filtered out above; said again for the type checker
            continue
        gains.append(Gain(pk, partner, at, M.WON, Decimal(1), tuple(users)))
        gains.append(Gain(pk, partner, at, M.REVENUE, amount or Decimal(0), tuple(users)))
    credit(gains)


def on_leads_moved(event: LeadsMoved) -> None:
    """The router moves batches of leads at once (qualified → assigned) and publishes one
    ``LeadsMoved``: each lead of it counts as qualified, with its qualification's time. A lead
    whose ``LeadQualified`` was credited already finds its credit row and adds nothing, so a
    reassigned lead never counts twice, whichever of the two events comes first."""
    rows = Lead.objects.filter(
        pk__in=event.lead_ids, partner__isnull=False, qualified_at__isnull=False
    ).values_list("pk", "partner_id", "qualified_at", *WORKERS)
    credit(
        [
            Gain(pk, partner, at, M.QUALIFIED, Decimal(1), tuple(users))
            for pk, partner, at, *users in rows
            if at
        ]
    )


def trainings_recount(now: datetime) -> str:
    """The "trainings completed" challenges' progress: the training app publishes no event, so
    every few minutes each running one recounts its participants' module certificates issued
    in its period and not revoked, in one grouped query per challenge, and writes the changed
    rows in one UPDATE. A moved figure stamps ``progressed_at``: the relaunch rule's activity
    (no credit row records a training). Certificates are the partner's, so a reseller's staff
    members each count their reseller's."""
    changed = 0
    running = Challenge.objects.filter(
        status=ChallengeStatus.RUNNING, metric=ChallengeMetric.TRAININGS
    )
    for challenge in running:
        counts = dict(
            Certificate.objects.filter(
                partner_id__in=challenge.participants.values("partner_id"),
                module__isnull=False,
                revoked_at__isnull=True,
                issued_at__date__gte=challenge.starts_on,
                issued_at__date__lte=challenge.ends_on,
            )
            .values("partner_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("partner_id", "n")
        )
        with transaction.atomic():
            rows = list(
                challenge.participants.select_for_update().only(
                    "pk", "partner_id", "target", "progress"
                )
            )
            moved = [p for p in rows if p.progress != counts.get(p.partner_id, 0)]
            for p in moved:
                p.progress = Decimal(counts.get(p.partner_id, 0))
                p.share = share_of(progress=p.progress, target=p.target)
                p.updated_at = p.progressed_at = now
            Participant.objects.bulk_update(
                moved, ["progress", "share", "updated_at", "progressed_at"], batch_size=1000
            )
        changed += len(moved)
    return f"{changed} participants' trainings recounted"


def calendar_job(now: datetime) -> str:
    """The scheduler's hook: ``core.scheduling`` calls a job with ``now`` by position, a service
    takes it by name."""
    return challenges_roll(now=now)


def register() -> None:
    events.subscribe(LeadsSubmitted, on_leads_submitted)
    events.subscribe(LeadQualified, on_lead_qualified)
    events.subscribe(LeadWon, on_lead_won)
    events.subscribe(LeadsMoved, on_leads_moved)
    scheduling.register("challenges.trainings", every=TRAININGS_EVERY, job=trainings_recount)
    # Challenges start and end on their dates (a manager may also start or end one by hand).
    scheduling.register("challenges.calendar", every=TRAININGS_EVERY, job=calendar_job)
