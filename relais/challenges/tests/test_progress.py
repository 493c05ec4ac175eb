from decimal import Decimal

import pytest
from django.utils import timezone

from relais.challenges import services
from relais.challenges.models import ChallengeCredit, Participant
from relais.challenges.progress import on_lead_won
from relais.challenges.selectors import leaderboard, rank_of
from relais.challenges.tests.helpers import challenge, submitted, won
from relais.core.outbox import deliver_all
from relais.leads.events import LeadWon
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _running(**fields):
    c = challenge(**fields)
    services.participants_propose(challenge=c, actor=None)
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    return services.challenge_move(challenge=c, to="running", actor=None)


def _row(c, partner):
    return Participant.objects.get(challenge=c, partner=partner)


def test_a_won_deal_adds_to_the_deals_and_the_revenue_challenges_once():
    manager = UserFactory()
    introducer = PartnerFactory()
    deals, revenue = _running(metric="won"), _running(metric="revenue")
    lead = won(introducer, manager, amount="1234.56")
    deliver_all()
    assert _row(deals, introducer).progress == 1
    assert _row(revenue, introducer).progress == Decimal("1234.56")
    on_lead_won(LeadWon(lead_id=lead.pk))  # redelivered: nothing twice
    assert _row(deals, introducer).progress == 1
    assert _row(revenue, introducer).progress == Decimal("1234.56")
    assert ChallengeCredit.objects.count() == 2


def test_submitted_and_qualified_leads_count_in_their_challenges():
    manager = UserFactory()
    introducer = PartnerFactory()
    sub, qual = _running(metric="submitted"), _running(metric="qualified")
    won(introducer, manager)
    submitted(introducer)
    deliver_all()
    assert _row(sub, introducer).progress == 2
    assert _row(qual, introducer).progress == 1


def test_a_challenge_not_running_or_another_partner_gains_nothing():
    manager = UserFactory()
    introducer, other = PartnerFactory(), PartnerFactory()
    running = _running()
    draft = challenge()
    services.participants_propose(challenge=draft, actor=None)
    won(introducer, manager)
    deliver_all()
    assert _row(running, introducer).progress == 1
    assert _row(running, other).progress == 0
    assert _row(draft, introducer).progress == 0


def test_a_won_deal_costs_the_same_queries_however_many_challenges_run(
    django_assert_num_queries,
):
    manager = UserFactory()
    introducer = PartnerFactory()
    _running(metric="won")
    first = won(introducer, manager)
    # lead, savepoint ×2, participants (locked), credits seen, INSERT, UPDATE
    with django_assert_num_queries(7):
        on_lead_won(LeadWon(lead_id=first.pk))  # its first delivery
    for _ in range(3):
        _running(metric="revenue")
    second = won(introducer, manager)
    with django_assert_num_queries(7):
        on_lead_won(LeadWon(lead_id=second.pk))
    assert ChallengeCredit.objects.filter(lead=second).count() == 4


def test_the_leaderboard_ranks_by_share_of_target_with_ties_broken_by_enrolment():
    manager = UserFactory()
    big, small, idle = PartnerFactory(), PartnerFactory(), PartnerFactory()
    c = _running()
    Participant.objects.filter(challenge=c, partner=big).update(target=10)
    Participant.objects.filter(challenge=c, partner__in=[small, idle]).update(target=2)
    for _ in range(3):
        won(big, manager)
    won(small, manager)
    deliver_all()
    board = leaderboard(c, size=3)
    # small: 1/2 = 50 %, big: 3/10 = 30 %, idle 0 %
    assert [r.participant.partner_id for r in board.rows] == [small.pk, big.pk, idle.pk]
    c.ranking = "absolute"
    board = leaderboard(c, size=3)
    assert [r.participant.partner_id for r in board.rows] == [big.pk, small.pk, idle.pk]


def test_a_partner_sees_pseudonyms_and_their_own_rank_below_the_top():
    manager = UserFactory()
    partners = [PartnerFactory() for _ in range(4)]
    c = _running(top_n=2)
    for p in partners[:2]:
        won(p, manager)
    deliver_all()
    me = partners[3]
    board = leaderboard(c, viewer=me)
    assert len(board.rows) == 2
    assert board.own is not None
    assert board.own.rank == 4
    assert board.own.name == me.display_name
    assert all(r.name.split()[0] != partners[0].first_name for r in board.rows)
    assert rank_of(c, _row(c, partners[0])) == 1
    assert board.total == 4


def test_progress_outside_the_period_does_not_count():
    manager = UserFactory()
    introducer = PartnerFactory()
    today = timezone.localdate()
    c = _running(
        starts_on=today.replace(year=today.year - 1), ends_on=today.replace(year=today.year - 1)
    )
    won(introducer, manager)
    deliver_all()
    assert _row(c, introducer).progress == 0


def test_trainings_completed_in_the_period_are_recounted():
    from relais.challenges.progress import trainings_recount
    from relais.training.certificates import certificate_issue
    from relais.training.models import Module

    introducer = PartnerFactory()
    c = _running(metric="trainings")
    module = Module.objects.create(title="Les bases", published=True)
    certificate_issue(partner=introducer, module=module)
    assert trainings_recount(timezone.now()).startswith("1 ")
    assert _row(c, introducer).progress == 1
    assert trainings_recount(timezone.now()).startswith("0 ")  # nothing moved since


def test_a_lead_the_router_moves_counts_once_as_qualified_whichever_event_comes_first():
    from django.db import transaction

    from relais.challenges.progress import on_lead_qualified, on_leads_moved
    from relais.challenges.tests.helpers import submitted
    from relais.leads.events import LeadQualified, LeadsMoved
    from relais.leads.models import Lead
    from relais.leads.services import lead_transition, leads_move

    manager = UserFactory()
    introducer = PartnerFactory()
    qual = _running(metric="qualified")
    first = lead_transition(lead=submitted(introducer), to="qualified", actor=manager)
    with transaction.atomic():
        locked = list(Lead.objects.select_for_update().filter(pk=first.pk))
        leads_move(leads=locked, to="assigned", actor=None, at=timezone.now(), notes={})
    deliver_all()  # LeadQualified and LeadsMoved both delivered
    assert _row(qual, introducer).progress == 1
    # The other order: the batch's event handled before the lead's own.
    second = lead_transition(lead=submitted(introducer), to="qualified", actor=manager)
    on_leads_moved(LeadsMoved([second.pk], "qualified", "assigned"))
    on_lead_qualified(LeadQualified(lead_id=second.pk))
    assert _row(qual, introducer).progress == 2
    assert ChallengeCredit.objects.filter(lead=second).count() == 1
