from datetime import timedelta

import pytest
from django.utils import timezone

from relais.challenges import services
from relais.challenges.models import Challenge, Participant
from relais.challenges.tests.helpers import challenge, won
from relais.core.outbox import deliver_all
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


def _running(**fields):
    c = challenge(**fields)
    services.participants_propose(challenge=c, actor=None)
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    return services.challenge_move(challenge=c, to="running", actor=None)


def test_a_manager_creates_a_challenge_and_proposes_the_targets(client):
    manager = UserFactory()
    PartnerFactory(last_name="Martin")
    client.force_login(manager)
    today = timezone.localdate()
    response = client.post(
        "/challenges/new/",
        {
            "name": "Défi d'automne",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
            "metric": "won",
            "mechanic": "threshold",
            "top_n": "3",
            "levels": "100,120,150",
            "ranking": "share",
        },
    )
    c = Challenge.objects.get()
    assert response.url == f"/challenges/{c.pk}/"
    assert c.created_by == manager
    client.post(f"/challenges/{c.pk}/propose/")
    page = client.get(f"/challenges/{c.pk}/").content.decode()
    assert "Martin" in page
    assert "Propose the targets again" in page
    assert Participant.objects.get().formula in page.replace("&gt;", ">").replace("&#x27;", "'")


def test_form_errors_name_the_field(client):
    client.force_login(UserFactory())
    today = timezone.localdate()
    response = client.post(
        "/challenges/new/",
        {
            "name": "",
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=3)).isoformat(),
            "metric": "won",
            "mechanic": "levels",
            "top_n": "3",
            "levels": "beaucoup",
            "ranking": "share",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "ends_on", "levels"}
    assert "The last day comes before the first day." in response.content.decode()


def test_a_manager_changes_a_target_with_a_reason_on_its_page(client):
    manager = UserFactory()
    PartnerFactory()
    c = challenge()
    services.participants_propose(challenge=c, actor=None)
    p = c.participants.get()
    client.force_login(manager)
    url = f"/challenges/{c.pk}/participants/{p.pk}/"
    response = client.post(url, {"target": "7", "reason": ""})
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"target": "7", "reason": "Secteur élargi"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.target == 7
    assert "Secteur élargi" in client.get(url).content.decode()


def test_the_lifecycle_buttons_move_the_challenge(client):
    client.force_login(UserFactory())
    PartnerFactory()
    c = challenge()
    client.post(f"/challenges/{c.pk}/move/", {"to": "scheduled"})
    c.refresh_from_db()
    assert c.status == "draft"  # no participant yet: refused, with the message
    client.post(f"/challenges/{c.pk}/propose/")
    client.post(f"/challenges/{c.pk}/move/", {"to": "scheduled"})
    client.post(f"/challenges/{c.pk}/move/", {"to": "running"})
    c.refresh_from_db()
    assert c.status == "running"


def test_partners_and_salespeople_cannot_reach_the_managers_pages(client):
    c = challenge()
    client.force_login(partner_user(PartnerFactory()))
    assert client.get(f"/challenges/{c.pk}/").status_code == 403


def test_an_introducer_sees_target_progress_and_rank_in_my_challenges(client):
    manager = UserFactory()
    me, other = PartnerFactory(), PartnerFactory(first_name="Zoé", last_name="Secret")
    c = _running(top_n=1)
    won(other, manager)
    deliver_all()
    client.force_login(partner_user(me))
    page = client.get("/portal/challenges/").content.decode()
    assert "rank 2" in page
    detail = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert "Secret" not in detail  # a pseudonym, not the other's name
    assert me.display_name in detail


def test_another_partners_challenge_is_a_404(client):
    c = challenge()
    PartnerFactory()
    services.participants_propose(challenge=c, actor=None)
    services.challenge_move(challenge=c, to="scheduled", actor=None)
    outsider = PartnerFactory(reseller=True)
    client.force_login(partner_user(outsider))
    assert client.get(f"/portal/challenges/{c.pk}/").status_code == 404


def test_a_draft_challenge_is_not_shown_to_its_participants(client):
    partner = PartnerFactory()
    c = challenge()
    services.participants_propose(challenge=c, actor=None)
    client.force_login(partner_user(partner))
    assert client.get(f"/portal/challenges/{c.pk}/").status_code == 404


def test_the_targets_table_is_paged_in_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory())
    counts = []
    for size in (2, 6):
        for _ in range(size):
            PartnerFactory()
        c = challenge()
        services.participants_propose(challenge=c, actor=None)
        client.get(f"/challenges/{c.pk}/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/challenges/{c.pk}/")
        counts.append(len(queries))
        assert len(response.context["participants"]) == c.participants.count()
    assert counts[0] == counts[1]
