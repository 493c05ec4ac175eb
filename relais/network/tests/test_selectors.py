"""What each staff member sees of a relationship: private → owner only (not even a manager),
on request → "someone knows them, ask" without who, shared → by name; the team sharing switch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from relais.network import selectors
from relais.network.models import NetworkTeam
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(manager):
    alice, bob = seller(first_name="Alice"), seller(first_name="Bob")
    acme = account("Acme Industrie SAS", sector="Chimie")
    dg = contact(acme, "Durand", first_name="Claire", title="DG", level="executive")
    daf = contact(acme, "Petit", first_name="Marc", title="DAF", level="director")
    cto = contact(acme, "Roux", first_name="Inès", title="DSI", level="director")
    shared = knows(alice, dg, strength=5, visibility="shared", context="school")
    ask = knows(alice, daf, strength=4, visibility="on_request", context="family")
    private = knows(alice, cto, strength=2, visibility="private")
    return locals()


def test_a_private_relationship_is_seen_by_its_owner_only_not_even_a_manager(world):
    for other in (world["bob"], world["manager"]):
        with pytest.raises(Http404):
            selectors.relationship_for_user(other, world["private"].pk)
        seen_ids = {h.relationship.pk for h in selectors.who_knows(user=other, text="acme")}
        assert world["private"].pk not in seen_ids
    _rel, mine = selectors.relationship_for_user(world["alice"], world["private"].pk)
    assert mine.owner_name == str(world["alice"])
    assert mine.mine


def test_on_request_shows_that_someone_knows_the_person_but_not_who(world):
    hits = selectors.who_knows(user=world["bob"], text="acme")
    by_contact = {h.contact.last_name: h.relationship for h in hits}
    assert set(by_contact) == {"Durand", "Petit"}
    assert by_contact["Durand"].owner_name == str(world["alice"])
    assert by_contact["Durand"].context_label == "School or university"
    ask = by_contact["Petit"]
    assert ask.ask
    assert ask.owner_id is None
    assert ask.owner_name is None
    assert ask.context is None
    assert ask.last_interaction is None
    assert ask.strength == 4


def test_search_ranks_by_strength_then_recency_and_fades_old_interactions(world):
    today = timezone.localdate()
    old = today - timedelta(days=800)
    acme = world["acme"]
    carol = seller()
    p = contact(acme, "Blanc")
    knows(carol, p, strength=5, visibility="shared", last_interaction=old)
    recent = contact(acme, "Noir")
    knows(carol, recent, strength=4, visibility="shared", last_interaction=today)
    hits = selectors.who_knows(user=world["bob"], account=acme)
    names = [h.contact.last_name for h in hits]
    # Durand 5 (no date), then Noir 4 today, then Blanc shown 4 (faded) an older date, Petit 4.
    assert names.index("Durand") < names.index("Noir") < names.index("Blanc")
    faded = next(h.relationship for h in hits if h.contact.last_name == "Blanc")
    assert faded.faded
    assert faded.shown_strength == 4
    assert faded.strength == 5
    # Display only: the stored value is untouched.
    assert p.relationships.get().strength == 5


def test_search_by_person_sector_and_departement(world):
    bob = world["bob"]
    assert [h.contact.last_name for h in selectors.who_knows(user=bob, text="claire")] == ["Durand"]
    assert len(selectors.who_knows(user=bob, sector="chimie")) == 2
    assert len(selectors.who_knows(user=bob, departement="69")) == 2
    assert selectors.who_knows(user=bob, departement="75") == []


def test_sharing_switched_off_for_a_team_keeps_its_relationships_with_their_owners(world):
    pilot = NetworkTeam.objects.create(name="Pilote", sharing_enabled=False)
    pilot.members.add(world["alice"])
    assert selectors.who_knows(user=world["bob"], text="acme") == []
    with pytest.raises(Http404):
        selectors.relationship_for_user(world["bob"], world["shared"].pk)
    pilot.sharing_enabled = True
    pilot.save()
    assert len(selectors.who_knows(user=world["bob"], text="acme")) == 2


def test_a_salesperson_outside_any_team_follows_the_setting(world, settings):
    NetworkTeam.objects.create(name="Pilote", sharing_enabled=True).members.add(world["alice"])
    settings.RELAIS_NETWORK_SHARING_WITHOUT_TEAM = False
    assert selectors.who_knows(user=world["bob"], text="acme") == []  # Bob is outside the pilot


def test_the_account_map_lists_every_person_with_what_the_viewer_may_see(world):
    people = selectors.account_map(user=world["bob"], account=world["acme"])
    assert {p.contact.last_name: len(p.known) for p in people} == {
        "Durand": 1,
        "Petit": 1,
        "Roux": 0,  # known privately by Alice: for Bob nobody knows Inès
    }
