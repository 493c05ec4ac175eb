"""Issue 27, a reseller's staff as participants: a staff member of a reseller opens their
challenge on a phone and sees their own rank, their team's ranks and the board's names with
their reseller; the manager's board names the staff member with their reseller. axe-core and
the screen's width at 1366 and 375 px; screenshots kept."""

import pytest

from relais.accounts.choices import Role
from relais.challenges import services
from relais.challenges.models import ChallengeCredit, Participant
from relais.challenges.progress import on_lead_won
from relais.challenges.tests.helpers import challenge, won
from relais.leads.events import LeadWon
from relais.leads.models import Lead
from relais.partners.models import PartnerMember
from relais.testing.factories import PartnerFactory, UserFactory
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_staff_member_sees_their_rank_and_their_teams_on_a_phone(browser, live_server):
    manager = UserFactory()
    reseller = PartnerFactory(reseller=True, company_name="Cuisines Rhône")
    members = []
    for first in ("Alice", "Bruno"):
        user = UserFactory(role=Role.RESELLER, first_name=first, last_name="Martin")
        members.append(PartnerMember.objects.create(user=user, partner=reseller))
    alice, bruno = members
    c = challenge(
        name="Défi des vendeurs", metric="won", reseller_participants="staff", show_names=True
    )
    services.participants_propose(challenge=c, actor=manager)
    c = services.challenge_move(challenge=c, to="scheduled", actor=manager)
    c = services.challenge_move(challenge=c, to="running", actor=manager)
    lead = won(reseller, manager)
    Lead.objects.filter(pk=lead.pk).update(created_by=bruno.user)
    ChallengeCredit.objects.all().delete()
    Participant.objects.update(progress=0, share=0)
    on_lead_won(LeadWon(lead_id=lead.pk))

    with signed_in(browser, live_server, alice.user, width=375) as context:
        page = context.new_page()
        page.goto(f"/portal/challenges/{c.pk}/")
        team = page.locator("#staff-ranks")
        assert "Bruno Martin" in team.locator("tr[data-rank='1']").inner_text()
        assert "Alice Martin" in team.locator("tr.mine").inner_text()
        board = page.locator("#leaderboard")
        assert "Bruno Martin (Cuisines Rhône)" in board.inner_text()
        assert both_widths(page, "Staff challenge", prefix="chal-c-portal-") == []
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto(f"/challenges/{c.pk}/")
        assert "Alice Martin (Cuisines Rhône)" in page.locator("body").inner_text()
        assert both_widths(page, "Staff challenge", prefix="chal-c-manager-") == []
