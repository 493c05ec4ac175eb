"""The introductions' pages: a private relationship's id guessed is a 404, the owner answers,
the asker records an opportunity and lands on the lead, the leaderboard shows who shared."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.leads.models import Lead
from relais.network.models import Introduction
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    alice, bruno = seller(first_name="Alice", last_name="Durand"), seller(first_name="Bruno")
    cible = account("Cible SA")
    jeanne = contact(cible, "Roux", first_name="Jeanne", phone="0611223344")
    on_request = knows(alice, jeanne, visibility="on_request", strength=4)
    private = knows(alice, contact(cible, "Petit"), visibility="private")
    return alice, bruno, on_request, private


ASK = {"why": "Elle décide", "purpose": "Présenter l'offre"}


def test_a_private_relationship_guessed_is_a_404(client, people):
    _alice, bruno, _on_request, private = people
    client.force_login(bruno)
    url = reverse("network:introduction_new", args=[private.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, ASK).status_code == 404
    assert not Introduction.objects.exists()


def test_the_whole_introduction_through_the_pages(client, people):
    alice, bruno, on_request, _private = people
    client.force_login(bruno)
    page = client.get(reverse("network:introduction_new", args=[on_request.pk]))
    assert "A colleague knows them" in page.content.decode()
    assert "Alice" not in page.content.decode()  # on request: never who
    empty = client.post(reverse("network:introduction_new", args=[on_request.pk]), {})
    assert empty.status_code == 422
    response = client.post(reverse("network:introduction_new", args=[on_request.pk]), ASK)
    intro = Introduction.objects.get()
    assert response.url == reverse("network:introduction", args=[intro.pk])
    detail = client.get(response.url).content.decode()
    assert "named once they accept" in detail
    assert "Durand" not in detail
    # Alice answers; Bruno may not answer for her.
    answer = reverse("network:introduction_answer", args=[intro.pk])
    client.post(answer, {"action": "accept"})
    assert Introduction.objects.get().status == "requested"
    client.force_login(alice)
    assert "Accept: I will introduce them" in client.get(response.url).content.decode()
    client.post(answer, {"action": "accept"})
    client.force_login(bruno)
    assert (
        "Alice Durand"
        in client.get(reverse("network:introduction", args=[intro.pk])).content.decode()
    )
    outcome = reverse("network:introduction_outcome", args=[intro.pk])
    bad = client.post(outcome, {"outcome": "opportunity", "postcode": "1"})
    assert bad.status_code == 422
    assert not Lead.objects.exists()
    done = client.post(outcome, {"outcome": "opportunity", "postcode": "69003", "need": "Fenêtres"})
    lead = Lead.objects.get()
    assert done.url == reverse("leads:detail", args=[lead.pk])
    assert client.get(done.url).status_code == 200  # Bruno works it
    client.force_login(alice)
    assert client.get(done.url).status_code == 200  # Alice brought it
    board = client.get(reverse("network:leaderboard")).content.decode()
    assert "Alice Durand" in board
    assert client.get(reverse("network:introductions")).status_code == 200


def test_someone_else_cannot_read_an_introduction(client, people):
    from relais.network import introductions as svc

    _alice, bruno, on_request, _private = people
    intro = svc.introduction_request(requester=bruno, relationship=on_request, **ASK)
    client.force_login(seller())
    assert client.get(reverse("network:introduction", args=[intro.pk])).status_code == 404
