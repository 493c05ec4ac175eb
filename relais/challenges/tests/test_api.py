import pytest
from django.test import Client

from relais.accounts.choices import Role
from relais.accounts.services import api_token_create
from relais.challenges import services
from relais.challenges.tests.helpers import challenge, won
from relais.core.outbox import deliver_all
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    token = api_token_create(user=user, name="t", scopes=["read"])[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def _running(**fields):
    c = challenge(**fields)
    services.participants_propose(challenge=c, actor=None)
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    return services.challenge_move(challenge=c, to="running", actor=None)


def test_a_partner_reads_its_challenges_with_its_rank_and_a_pseudonymous_board():
    manager = UserFactory()
    me, rival = PartnerFactory(), PartnerFactory(last_name="Lambert")
    c = _running(top_n=1)
    won(rival, manager)
    deliver_all()
    api = _client(partner_user(me))
    [row] = api.get("/api/v1/challenges").json()
    assert (row["id"], row["mine"]["rank"], row["mine"]["target"]) == (c.pk, 2, "1.00")
    board = api.get(f"/api/v1/challenges/{c.pk}/leaderboard").json()
    assert board["total"] == 2
    assert board["rows"][0]["name"] != rival.display_name
    assert (board["own"]["rank"], board["own"]["name"]) == (2, me.display_name)


def test_a_manager_reads_every_challenge_and_real_names():
    manager = UserFactory()
    partner = PartnerFactory()
    c = _running()
    api = _client(manager)
    assert [r["id"] for r in api.get("/api/v1/challenges").json()] == [c.pk]
    board = api.get(f"/api/v1/challenges/{c.pk}/leaderboard").json()
    assert board["rows"][0]["name"] == partner.display_name


def test_another_partners_board_is_a_404_and_a_salesperson_is_refused():
    PartnerFactory()
    c = _running()
    outsider = PartnerFactory(reseller=True)
    assert (
        _client(partner_user(outsider)).get(f"/api/v1/challenges/{c.pk}/leaderboard").status_code
        == 404
    )
    salesperson = UserFactory(role=Role.SALESPERSON)
    assert _client(salesperson).get("/api/v1/challenges").status_code == 403
