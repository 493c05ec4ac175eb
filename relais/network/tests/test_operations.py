"""Special operations: each salesperson puts forward their own contacts only, invitations go
out (e-mailed), attendance and outcomes are credited to who put the person forward; sharing
switched on team by team."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from relais.core.errors import DomainError
from relais.network import operations as svc
from relais.network.operation_selectors import operation_credits, operation_view
from relais.network.selectors import who_knows
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def fair(manager):
    today = date.today()
    return svc.operation_open(
        actor=manager,
        name="Salon Batimat — invitations VIP",
        starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=23),
        nominations_close_on=today + timedelta(days=10),
    )


def test_only_a_manager_opens_an_operation_and_dates_are_checked(salesperson, manager):
    today = date.today()
    with pytest.raises(DomainError):
        svc.operation_open(actor=salesperson, name="X", starts_on=today, ends_on=today)
    with pytest.raises(DomainError) as caught:
        svc.operation_open(actor=manager, name="", starts_on=today, ends_on=today - timedelta(1))
    assert set(caught.value.fields) == {"name", "ends_on"}


def test_a_salesperson_puts_forward_their_own_contacts_and_nothing_of_a_colleague(fair, manager):
    alice, bruno = seller(last_name="Durand"), seller(last_name="Martin")
    vip = contact(account("Cible SA"), "Roux", email="roux@cible.fr")
    mine = knows(alice, vip, visibility="shared")
    with pytest.raises(DomainError):
        svc.operation_nominate(operation=fair, actor=bruno, relationship=mine)
    nomination = svc.operation_nominate(operation=fair, actor=alice, relationship=mine)
    assert svc.operation_nominate(operation=fair, actor=alice, relationship=mine) == nomination
    theirs = knows(bruno, vip, visibility="shared")
    with pytest.raises(DomainError, match="already put this person forward"):
        svc.operation_nominate(operation=fair, actor=bruno, relationship=theirs)
    assert operation_view(user=bruno, operation=fair).nominations == []
    assert operation_view(user=manager, operation=fair).nominations == [nomination]


def test_invitations_go_out_and_the_outcome_is_credited(fair, manager):
    alice = seller(first_name="Alice", last_name="Durand")
    vip = contact(account("Cible SA"), "Roux", first_name="Jeanne", email="roux@cible.fr")
    nomination = svc.operation_nominate(operation=fair, actor=alice, relationship=knows(alice, vip))
    with pytest.raises(DomainError, match="not gone out"):
        svc.nomination_track(
            nomination=nomination,
            actor=alice,
            invitation="accepted",
            attendance="unknown",
            outcome="none",
        )
    assert svc.operation_invitations_send(operation=fair, actor=manager) == 1
    assert svc.nomination_invite.call(nomination.pk) is True
    (invitation,) = mail.outbox
    assert invitation.to == ["roux@cible.fr"]
    assert "Alice Durand" in invitation.body
    nomination.refresh_from_db()
    with pytest.raises(DomainError):  # nominations are closed once invitations are out
        svc.operation_nominate(
            operation=fair, actor=alice, relationship=knows(alice, contact(vip.account))
        )
    svc.nomination_track(
        nomination=nomination,
        actor=alice,
        invitation="accepted",
        attendance="attended",
        outcome="opportunity",
    )
    (credit,) = operation_credits(operation=fair)
    assert (credit["name"], credit["attended"], credit["opportunities"]) == ("Alice Durand", 1, 1)


def test_a_team_with_sharing_off_keeps_its_members_relationships_to_themselves(manager):
    alice, bruno = seller(), seller()
    knows(alice, contact(account("Pilote SA"), "Roux"), visibility="shared")
    pilot = svc.team_create(actor=manager, name="Lyon", members=[alice], sharing=False)
    assert who_knows(user=bruno, text="Pilote") == []
    svc.team_sharing_set(team=pilot, actor=manager, enabled=True)
    assert len(who_knows(user=bruno, text="Pilote")) == 1


def test_the_pages(client, fair, manager):
    alice = seller()
    rel = knows(alice, contact(account("Cible SA"), "Roux"))
    client.force_login(alice)
    page = client.get(reverse("network:operation", args=[fair.pk])).content.decode()
    assert "Put forward my contacts" in page
    client.post(reverse("network:operation_nominate", args=[fair.pk]), {"relationship": [rel.pk]})
    assert fair.nominations.count() == 1
    assert client.get(reverse("network:teams")).status_code == 403
    client.force_login(manager)
    assert "Roux" in client.get(reverse("network:operation", args=[fair.pk])).content.decode()
    created = client.post(
        reverse("network:teams"), {"name": "Pilote", "members": [alice.pk], "sharing": "on"}
    )
    assert created.status_code == 302


def test_an_opportunity_opens_a_lead_and_the_people_without_email_are_listed(fair, manager):
    alice = seller(first_name="Alice", last_name="Durand")
    cible = account("Cible SA")
    vip = contact(cible, "Roux", first_name="Jeanne", email="roux@cible.fr")
    nomail = contact(cible, "Petit", first_name="Paul", phone="0611223344")
    with_mail = svc.operation_nominate(operation=fair, actor=alice, relationship=knows(alice, vip))
    by_hand = svc.operation_nominate(operation=fair, actor=alice, relationship=knows(alice, nomail))
    assert operation_view(user=alice, operation=fair).by_hand == []  # not invited yet
    svc.operation_invitations_send(operation=fair, actor=manager)
    assert svc.nomination_invite.call(by_hand.pk) is False  # no address: no e-mail
    with_mail.refresh_from_db()
    assert operation_view(user=alice, operation=fair).by_hand == [by_hand]
    assert operation_view(user=manager, operation=fair).by_hand == []  # Alice's to hand over
    track = {"invitation": "accepted", "attendance": "attended", "outcome": "opportunity"}
    with pytest.raises(DomainError) as caught:
        svc.nomination_track(nomination=with_mail, actor=alice, **track, lead_data={})
    assert "postcode" in caught.value.fields
    with_mail.refresh_from_db()
    assert (with_mail.outcome, with_mail.lead) == ("none", None)  # nothing half-written
    done = svc.nomination_track(
        nomination=with_mail, actor=alice, **track, lead_data={"postcode": "69003"}
    )
    lead = done.lead
    assert (lead.last_name, lead.company_name, lead.assigned_salesperson) == (
        "Roux",
        "Cible SA",
        alice,
    )
    again = svc.nomination_track(
        nomination=with_mail, actor=alice, **track, lead_data={"postcode": "69003"}
    )
    assert again.lead == lead  # recorded again: no second lead


def test_the_page_lists_the_invitations_to_hand_over(client, fair, manager):
    alice = seller(first_name="Alice", last_name="Durand")
    nomail = contact(account("Cible SA"), "Petit", first_name="Paul", phone="0611223344")
    svc.operation_nominate(operation=fair, actor=alice, relationship=knows(alice, nomail))
    svc.operation_invitations_send(operation=fair, actor=manager)
    client.force_login(alice)
    page = client.get(reverse("network:operation", args=[fair.pk])).content.decode()
    listed = page.split('id="operation-by-hand"')[1].split("</section>")[0]
    assert "Hand the invitation over yourself" in listed
    assert "Paul Petit" in listed
