"""Reads: the leaderboard (from the stored progress, never from the leads), a partner's
challenges, and the managers' list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from relais.challenges.choices import ChallengeStatus, Ranking
from relais.challenges.models import Challenge, Participant
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner

BOARD_SIZE = 10  # shown when the mechanic names no number of winners


@dataclass(frozen=True)
class Row:
    rank: int
    participant: Participant
    name: str
    mine: bool


@dataclass(frozen=True)
class Board:
    rows: list[Row]
    own: Row | None  # the viewer's row when it is not among ``rows``
    total: int


def _order(challenge: Challenge) -> list[str]:
    """Ties are broken the same way every time: the larger figure, then the earlier enrolled."""
    if challenge.ranking == Ranking.ABSOLUTE:
        return ["-progress", "pk"]
    return ["-share", "-progress", "pk"]


def _ahead(challenge: Challenge, me: Participant) -> Q:
    """The participants ranked before ``me``, as a filter (one COUNT on the board's index)."""
    if challenge.ranking == Ranking.ABSOLUTE:
        return Q(progress__gt=me.progress) | Q(progress=me.progress, pk__lt=me.pk)
    return (
        Q(share__gt=me.share)
        | Q(share=me.share, progress__gt=me.progress)
        | Q(share=me.share, progress=me.progress, pk__lt=me.pk)
    )


def rank_of(challenge: Challenge, me: Participant) -> int:
    return challenge.participants.filter(_ahead(challenge, me)).count() + 1


def _name(challenge: Challenge, p: Participant, viewer: Partner | None) -> str:
    """A staff member's name with their reseller ("Alice Martin (Cuisines Rhône)"), a partner's
    name, or the pseudonym: a partner sees real names only when the challenge shows them, and
    always their own reseller's staff."""
    if challenge.show_names or viewer is None or p.partner_id == viewer.pk:
        return p.display_name
    return p.pseudonym


def leaderboard(
    challenge: Challenge,
    *,
    viewer: Partner | None = None,
    size: int | None = None,
    me: Participant | None = None,
) -> Board:
    """The top of the board and the viewer's own rank. ``viewer`` None is a manager: real names;
    a partner sees pseudonyms unless the challenge shows names (and always their own name, and
    their own staff's). ``me`` is the viewer's own row when a reseller's staff take part each
    in their name (the viewer's one, not their colleagues')."""
    if me is not None and me.member_id:
        return _board_for(challenge, viewer, size, me)
    size = size or challenge.top_n or BOARD_SIZE
    top = list(
        challenge.participants.select_related("partner", "member__user").order_by(
            *_order(challenge)
        )[:size]
    )
    rows = [
        Row(n + 1, p, _name(challenge, p, viewer), viewer is not None and p.partner_id == viewer.pk)
        for n, p in enumerate(top)
    ]
    own = None
    if viewer is not None and not any(r.mine for r in rows):
        me = challenge.participants.select_related("partner").filter(partner=viewer).first()
        if me is not None:
            own = Row(rank_of(challenge, me), me, _name(challenge, me, viewer), True)
    return Board(rows=rows, own=own, total=challenge.participants.count())


def _board_for(
    challenge: Challenge, viewer: Partner | None, size: int | None, me: Participant
) -> Board:
    size = size or challenge.top_n or BOARD_SIZE
    top = list(
        challenge.participants.select_related("partner", "member__user").order_by(
            *_order(challenge)
        )[:size]
    )
    rows = [Row(n + 1, p, _name(challenge, p, viewer), p.pk == me.pk) for n, p in enumerate(top)]
    own = None
    if not any(r.mine for r in rows):
        own = Row(rank_of(challenge, me), me, _name(challenge, me, viewer), True)
    return Board(rows=rows, own=own, total=challenge.participants.count())


@dataclass(frozen=True)
class StaffRank:
    rank: int
    participant: Participant
    name: str


def staff_ranks(challenge: Challenge, partner: Partner) -> list[StaffRank]:
    """A reseller's staff in a challenge they take part in one by one, each with their rank on
    the whole board (one COUNT each: a reseller has a handful of users), best first."""
    staff = (
        challenge.participants.filter(partner=partner, member__isnull=False)
        .select_related("partner", "member__user")
        .order_by(*_order(challenge))
    )
    return [StaffRank(rank_of(challenge, p), p, p.person) for p in staff]


def _own(user_id: int | None) -> Q:
    """The viewer's own row among their partner's: the partner's (an introducer, a reseller's
    team) or, a reseller's staff taking part one by one, the viewer's."""
    if user_id is None:
        return Q()
    return Q(member__isnull=True) | Q(member__user_id=user_id)


def challenge_audience(*, challenge: Challenge) -> QuerySet[Partner]:
    """The active partners the challenge is for: its list if it has one, else those matching all
    of its criteria (kind, segment, départements)."""
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE)
    listed = challenge.audience_partners.all()
    if listed.exists():
        return partners.filter(pk__in=listed.values("pk"))
    if challenge.audience_kind:
        partners = partners.filter(kind=challenge.audience_kind)
    if challenge.audience_segment:
        partners = partners.filter(segment__segment=challenge.audience_segment)
    departements = challenge.audience_departements.all()
    if departements.exists():
        partners = partners.filter(departement__in=departements.values("pk"))
    return partners


def challenges_list() -> QuerySet[Challenge]:
    return Challenge.objects.annotate(n_participants=Count("participants"))


def partner_challenges(
    partner: Partner, *, user_id: int | None = None
) -> list[tuple[Challenge, Participant]]:
    """The partner's challenges a partner may see (scheduled, running, ended), with their row
    (the viewer's own, ``user_id``, when a reseller's staff take part one by one)."""
    rows = (
        Participant.objects.filter(
            _own(user_id),
            partner=partner,
            challenge__status__in=[
                ChallengeStatus.SCHEDULED,
                ChallengeStatus.RUNNING,
                ChallengeStatus.ENDED,
            ],
        )
        .select_related("challenge")
        .order_by("-challenge__starts_on", "-challenge__pk")
    )
    return [(p.challenge, p) for p in rows]


def challenge_get_for_partner(
    *, partner: Partner, pk: int, user_id: int | None = None
) -> tuple[Challenge, Participant]:
    """The partner's own challenge, or ``Participant.DoesNotExist`` (answered as a 404). A
    reseller whose staff take part one by one: the viewer's row (``user_id``); a user of it who
    is not enrolled (joined since) is a 404 too."""
    me = (
        Participant.objects.select_related("challenge", "partner", "member__user")
        .filter(
            _own(user_id),
            partner=partner,
            challenge_id=pk,
            challenge__status__in=[
                ChallengeStatus.SCHEDULED,
                ChallengeStatus.RUNNING,
                ChallengeStatus.ENDED,
            ],
        )
        .order_by("member_id", "pk")
        .first()
    )
    if me is None:
        raise Participant.DoesNotExist
    return me.challenge, me
