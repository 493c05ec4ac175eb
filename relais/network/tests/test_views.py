"""The network's pages as a salesperson and a manager use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.network.models import Account, Relationship
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return account("Acme Industrie", sector="Chimie")


def test_the_search_shows_shared_by_name_on_request_as_ask_and_hides_private(
    client, acme, django_assert_max_num_queries
):
    alice, bob = seller(first_name="Alice", last_name="Arnaud"), seller()
    knows(alice, contact(acme, "Durand"), visibility="shared", strength=5)
    knows(alice, contact(acme, "Petit"), visibility="on_request", strength=4)
    knows(alice, contact(acme, "Roux"), visibility="private")
    client.force_login(bob)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("network:search"), {"q": "acme"}).content.decode()
    assert "Known by Alice Arnaud" in page
    assert "Someone knows them — ask" in page
    assert "Durand" in page
    assert "Petit" in page
    assert "Roux" not in page
    assert page.count("Alice Arnaud") == 1  # the on-request one does not name her


def test_the_htmx_search_answers_the_results_only(client, salesperson, acme):
    knows(seller(), contact(acme, "Durand"), visibility="shared")
    client.force_login(salesperson)
    page = client.get(reverse("network:search"), {"q": "acme"}, headers={"HX-Request": "true"})
    assert b"<html" not in page.content
    assert b"Durand" in page.content


def test_the_account_page_draws_the_map_and_names_the_gaps(client, salesperson, acme):
    knows(seller(), contact(acme, "Durand", title="DG"), visibility="shared", strength=5)
    contact(acme, "Petit", title="DAF")
    client.force_login(salesperson)
    page = client.get(reverse("network:account", args=[acme.pk])).content.decode()
    assert "<svg" in page
    assert "network-map" in page
    assert "Nobody known at 1 person" in page
    assert "Petit (DAF)" in page


def test_recording_a_relationship_shows_the_scale_and_names_a_bad_strength(client, salesperson):
    person = contact(account())
    url = reverse("network:relationship", args=[person.pk])
    client.force_login(salesperson)
    page = client.get(url).content.decode()
    for label in ("1 – met once", "5 – close, would take my call"):
        assert label in page
    bad = client.post(url, {"strength": "7", "context": "school", "visibility": "shared"})
    assert bad.status_code == 200
    assert "Strength 7: choose 1 to 5" in bad.content.decode()
    assert not Relationship.objects.exists()
    ok = client.post(url, {"strength": "4", "context": "school", "visibility": "shared"})
    assert ok.status_code == 302
    assert Relationship.objects.get().owner == salesperson


def test_a_duplicate_account_points_to_the_existing_one(client, salesperson, acme):
    client.force_login(salesperson)
    page = client.post(
        reverse("network:account_new"), {"name": "ACME industrie SA", "departement": "69"}
    )
    assert page.status_code == 200
    assert reverse("network:account", args=[acme.pk]) in page.content.decode()
    assert Account.objects.count() == 1


def test_only_the_owner_removes_a_relationship(client, manager, acme):
    rel = knows(seller(), contact(acme), visibility="shared")
    client.force_login(manager)
    assert client.post(reverse("network:relationship_delete", args=[rel.pk])).status_code == 404
    assert Relationship.objects.filter(pk=rel.pk).exists()


def test_a_manager_records_an_objection(client, manager, acme):
    person = contact(acme, "Durand")
    rel = knows(seller(), person, visibility="shared")
    client.force_login(manager)
    client.post(reverse("network:contact_object", args=[person.pk]), {"reason": "mail"})
    rel.refresh_from_db()
    assert rel.visibility == "private"


def test_partners_do_not_reach_the_network(client, introducer_user):
    client.force_login(introducer_user)
    assert client.get(reverse("network:search")).status_code == 403
