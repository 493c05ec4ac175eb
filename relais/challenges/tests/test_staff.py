"""A reseller's staff as participants (rewards are taxed per person): enrolled per active member
with a share of the reseller's target, credited with the leads they worked, e-mailed at their
own address, named on their awards and the board; and a trainings challenge's recount counting
as activity for the relaunch rule."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from relais.accounts.choices import Role
from relais.challenges import services
from relais.challenges.communication import challenge_participation, challenges_communicate
from relais.challenges.models import ChallengeCredit, Participant
from relais.challenges.progress import on_lead_won, trainings_recount
from relais.challenges.rewards.services import reward_add, rewards_award
from relais.challenges.selectors import leaderboard
from relais.challenges.tests.helpers import challenge, submitted, won
from relais.leads.events import LeadWon
from relais.leads.models import Lead
from relais.partners.models import PartnerMember
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff(reseller, *names):
    members = []
    for name in names:
        user = UserFactory(role=Role.RESELLER, first_name=name, last_name="Martin")
        members.append(PartnerMember.objects.create(user=user, partner=reseller))
    return members


def _running(c):
    services.participants_propose(challenge=c, actor=None)
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    return services.challenge_move(challenge=c, to="running", actor=None)


def _worked_by(lead, member):
    Lead.objects.filter(pk=lead.pk).update(created_by=member.user)


def test_per_staff_member_each_active_user_of_a_reseller_takes_part_with_a_share_of_its_target():
    reseller = PartnerFactory(reseller=True)
    alice, bruno, gone = _staff(reseller, "Alice", "Bruno", "Gaston")
    gone.user.is_active = False
    gone.user.save()
    introducer = PartnerFactory()
    team = challenge(metric="won")
    staff = challenge(metric="won", reseller_participants="staff")

    assert services.participants_propose(challenge=team, actor=None) == 2
    assert services.participants_propose(challenge=staff, actor=None) == 3
    assert set(team.participants.values_list("partner_id", "member_id")) == {
        (reseller.pk, None),
        (introducer.pk, None),
    }
    rows = {p.member_id: p for p in staff.participants.all()}
    assert set(rows) == {alice.pk, bruno.pk, None}  # the introducer, and the two active members
    reseller_target = team.participants.get(partner=reseller).target
    floor = Decimal(1)
    share = max((reseller_target / 2).quantize(Decimal(1), rounding="ROUND_CEILING"), floor)
    assert rows[alice.pk].target == rows[bruno.pk].target == share
    assert rows[alice.pk].target_inputs["staff_members"] == 2
    assert "÷ 2" in rows[alice.pk].formula


def test_a_won_lead_counts_for_the_member_who_worked_it_in_the_same_queries(
    django_assert_num_queries,
):
    manager = UserFactory()
    reseller = PartnerFactory(reseller=True)
    alice, bruno = _staff(reseller, "Alice", "Bruno")
    staff = _running(challenge(metric="won", reseller_participants="staff"))
    team = _running(challenge(metric="won"))
    lead = won(reseller, manager)
    _worked_by(lead, bruno)
    ChallengeCredit.objects.all().delete()
    Participant.objects.update(progress=0, share=0)
    # lead, savepoint ×2, participants (locked), credits seen, INSERT, UPDATE: as for a partner
    with django_assert_num_queries(7):
        on_lead_won(LeadWon(lead_id=lead.pk))
    mine = {p.member_id: p.progress for p in staff.participants.all()}
    assert mine == {alice.pk: 0, bruno.pk: 1}
    assert team.participants.get().progress == 1  # the team: the reseller's sum
    # A lead no staff member entered nor was assigned counts for nobody's name.
    other = won(reseller, manager)
    Lead.objects.filter(pk=other.pk).update(created_by=None, assigned_salesperson=None)
    on_lead_won(LeadWon(lead_id=other.pk))
    assert sum(p.progress for p in staff.participants.all()) == 1
    assert team.participants.get().progress == 2


def test_a_member_is_emailed_at_their_own_address_and_their_award_names_them():
    manager = UserFactory()
    reseller = PartnerFactory(reseller=True)
    alice, bruno = _staff(reseller, "Alice", "Bruno")
    c = _running(
        challenge(
            metric="won",
            reseller_participants="staff",
            mechanic="ranking",
            top_n=1,
            show_names=True,
        )
    )
    challenges_communicate(now=timezone.now())
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.user.email, bruno.user.email])

    lead = won(reseller, manager)
    _worked_by(lead, alice)
    ChallengeCredit.objects.all().delete()
    Participant.objects.update(progress=0, share=0)
    on_lead_won(LeadWon(lead_id=lead.pk))
    board = leaderboard(c)
    assert board.rows[0].name == f"Alice Martin ({reseller.display_name})"

    reward_add(challenge=c, kind="voucher", amount="150", place=1, actor=None)
    services.challenge_move(challenge=c, to="ended", actor=None)
    assert rewards_award(challenge=c, actor=None) == 1
    award = c.awards.get()
    assert award.person == "Alice Martin"
    assert award.partner_id == reseller.pk


def test_a_trainings_recount_that_moves_a_figure_counts_as_progress_for_the_relaunch_rule():
    from relais.training.certificates import certificate_issue
    from relais.training.models import Module

    busy, idle = PartnerFactory(), PartnerFactory()
    c = _running(challenge(metric="trainings"))
    module = Module.objects.create(title="Les bases", published=True)
    certificate_issue(partner=busy, module=module)
    now = timezone.now()
    assert challenge_participation(challenge=c, now=now).active == 0
    trainings_recount(now)
    figure = challenge_participation(challenge=c, now=now)
    assert (figure.active, figure.total) == (1, 2)
    # A week later without any new certificate: nobody progressed.
    assert challenge_participation(challenge=c, now=now + timedelta(days=8)).active == 0
    submitted(idle)  # a lead is no training: still one of two
    assert challenge_participation(challenge=c, now=now).active == 1


def test_the_resellers_portal_shows_its_staffs_ranks_and_the_board_their_names(client):
    manager = UserFactory()
    reseller = PartnerFactory(reseller=True)
    rival = PartnerFactory(first_name="Zoé", last_name="Secret")
    alice, bruno = _staff(reseller, "Alice", "Bruno")
    c = _running(challenge(metric="won", reseller_participants="staff", top_n=2))
    for partner, member in ((rival, None), (reseller, bruno)):
        lead = won(partner, manager)
        if member:
            _worked_by(lead, member)
    ChallengeCredit.objects.all().delete()
    Participant.objects.update(progress=0, share=0)
    for lead in Lead.objects.all():
        on_lead_won(LeadWon(lead_id=lead.pk))

    client.force_login(alice.user)
    home = client.get("/portal/challenges/").content.decode()
    assert "rank 3" in home  # Alice's own row, not Bruno's
    page = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert "My team&#x27;s ranks" in page or "My team's ranks" in page
    assert "Bruno Martin" in page
    assert "Alice Martin" in page
    assert 'class="mine" aria-current="true" data-rank="3"' in page
    assert "Secret" not in page  # the rival under a pseudonym

    client.force_login(manager)
    board = client.get(f"/challenges/{c.pk}/").content.decode()
    assert f"Bruno Martin ({reseller.display_name})" in board
    assert "Secret" in board


def test_an_introducer_sees_no_team_section(client):
    from relais.testing.factories import partner_user

    me = PartnerFactory()
    c = _running(challenge(metric="won", reseller_participants="staff"))
    client.force_login(partner_user(me))
    page = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert "staff-ranks" not in page
    assert me.display_name in page
