"""Introductions between colleagues: asked only through a relationship one may see, answered
by its owner, an outcome that may open a lead worked by the asker, the owner told by e-mail,
and the internal bonus when that lead is won (once)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils.formats import date_format

from relais.accounts.choices import Role
from relais.commissions.models import CommissionLine, EmployeeBonus
from relais.commissions.tests.conftest import active_plan
from relais.core.errors import DomainError, TransitionError
from relais.leads.events import LeadWon
from relais.leads.models import Lead
from relais.leads.services import lead_transition
from relais.network import introductions as svc
from relais.network.introduction_selectors import introductions_leaderboard
from relais.network.models import Introduction
from relais.network.tests.factories import account, contact, knows, seller
from relais.routing.models import Assignment, SlaEvent
from relais.routing.sla import sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_mail(settings):
    """The e-mails are written in the installation's language: English here, as the asserts."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def people():
    """Alice knows Jeanne Roux at Cible (shared) and Paul Petit there (private); Bruno asks."""
    alice, bruno = seller(first_name="Alice", last_name="Durand"), seller(first_name="Bruno")
    cible = account("Cible SA")
    jeanne = contact(cible, "Roux", first_name="Jeanne", email="jeanne.roux@cible.fr")
    paul = contact(cible, "Petit", first_name="Paul")
    shared = knows(alice, jeanne, visibility="shared", strength=5)
    private = knows(alice, paul, visibility="private")
    return alice, bruno, shared, private


def _ask(bruno, rel, **kw):
    data = {"why": "Elle décide des achats", "purpose": "Présenter notre offre", **kw}
    return svc.introduction_request(requester=bruno, relationship=rel, **data)


def _opportunity(bruno, intro, **lead_data):
    return svc.introduction_outcome_record(
        introduction=intro,
        actor=bruno,
        outcome="opportunity",
        note="Projet de 40 fenêtres",
        lead_data={"postcode": "69003", **lead_data},
    )


def _worker(intro, what):
    """What the task worker does with the task the step enqueued after commit."""
    return svc.introduction_notify.call(intro.pk, what)


def test_a_colleague_asks_and_the_owner_is_emailed(people, django_capture_on_commit_callbacks):
    alice, bruno, shared, _private = people
    with django_capture_on_commit_callbacks(execute=True) as queued:
        intro = _ask(bruno, shared)
    assert queued
    _worker(intro, "requested")
    assert intro.status == "requested"
    assert _ask(bruno, shared) == intro  # asked again while open: the same request
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "asks you for an introduction to Jeanne Roux" in message.subject
    assert "Présenter notre offre" in message.body
    assert f"/network/introductions/{intro.pk}/" in message.body


def test_a_private_relationship_cannot_be_asked_for_even_by_its_id(people):
    _alice, bruno, _shared, private = people
    with pytest.raises(DomainError) as caught:
        _ask(bruno, private)
    assert caught.value.code == "not_found"
    assert not Introduction.objects.exists()


def test_nobody_asks_themselves_for_an_introduction(people):
    alice, _bruno, shared, _private = people
    with pytest.raises(DomainError) as caught:
        _ask(alice, shared)
    assert "relationship" in caught.value.fields


def test_an_exclusive_relationship_cannot_be_asked_for_until_its_date(people):
    alice, bruno, shared, _private = people
    knows(alice, shared.contact, visibility="shared", exclusive_until=date.today() + timedelta(5))
    with pytest.raises(DomainError, match="handles this person alone until"):
        _ask(bruno, shared)


def test_why_and_what_for_are_required_and_named(people):
    _alice, bruno, shared, _private = people
    with pytest.raises(DomainError) as caught:
        _ask(bruno, shared, why=" ", purpose="")
    assert set(caught.value.fields) == {"why", "purpose"}


def test_the_owner_declines_with_a_reason_the_asker_reads(people):
    alice, bruno, shared, _private = people
    intro = _ask(bruno, shared)
    with pytest.raises(DomainError, match="Only the person who knows them"):
        svc.introduction_accept(introduction=intro, actor=bruno)
    with pytest.raises(DomainError) as caught:
        svc.introduction_decline(introduction=intro, actor=alice, reason="")
    assert "reason" in caught.value.fields
    svc.introduction_decline(introduction=intro, actor=alice, reason="Elle part à la retraite")
    _worker(intro, "answered")
    assert mail.outbox[-1].to == [bruno.email]
    assert "Elle part à la retraite" in mail.outbox[-1].body
    with pytest.raises(TransitionError):
        svc.introduction_accept(introduction=intro, actor=alice)


def test_an_opportunity_opens_a_lead_brought_by_the_owner_and_given_to_the_asker(people):
    alice, bruno, shared, _private = people
    intro = svc.introduction_accept(introduction=_ask(bruno, shared), actor=alice)
    with pytest.raises(DomainError, match="Only the colleague who asked"):
        _opportunity(alice, intro)
    intro = _opportunity(bruno, intro)
    assert _worker(intro, "outcome") is True
    assert _worker(intro, "outcome") is False  # a retried task: the owner was told already
    lead = Lead.objects.get()
    assert (lead.channel, lead.salesperson, lead.assigned_salesperson, lead.status) == (
        "introduction",
        alice,
        bruno,
        "assigned",
    )
    assert (lead.company_name, lead.email) == ("Cible SA", "jeanne.roux@cible.fr")
    assert intro.lead == lead
    told = mail.outbox[-1]
    assert told.to == [alice.email]
    assert "Opportunity opened" in told.subject
    assert "Projet de 40 fenêtres" in told.body


def test_a_bad_lead_field_is_named_and_nothing_is_written(people):
    alice, bruno, shared, _private = people
    intro = svc.introduction_accept(introduction=_ask(bruno, shared), actor=alice)
    with pytest.raises(DomainError) as caught:
        _opportunity(bruno, intro, phone="12", postcode="999999")
    assert {"phone", "postcode"} <= set(caught.value.fields)
    intro.refresh_from_db()
    assert (intro.status, intro.lead_id, Lead.objects.count()) == ("accepted", None, 0)


def test_a_won_introduction_lead_pays_the_owner_the_internal_bonus_once(people, manager, client):
    alice, bruno, shared, _private = people
    active_plan(
        manager,
        {"trigger": "won", "beneficiary": "employee", "formula": "percent", "rate": Decimal(1)},
    )
    intro = svc.introduction_accept(introduction=_ask(bruno, shared), actor=alice)
    lead = _opportunity(bruno, intro).lead
    lead = lead_transition(lead=lead, to="opened", actor=bruno)
    lead = lead_transition(
        lead=lead, to="won", actor=bruno, amount=Decimal("18000"), won_date=date.today()
    )
    svc.on_lead_won(LeadWon(lead_id=lead.pk))
    svc.on_lead_won(LeadWon(lead_id=lead.pk))  # delivered twice
    bonus = EmployeeBonus.objects.get()
    assert (bonus.employee, bonus.amount) == (alice, Decimal("180.00"))
    assert "Jeanne Roux" in bonus.source
    assert not CommissionLine.objects.exists()
    client.force_login(alice)
    mine = client.get("/network/introductions/").content.decode()
    assert "My internal bonuses" in mine
    assert "180" in mine
    (row,) = introductions_leaderboard()
    assert (row.user_id, row.given, row.deals, row.won) == (alice.pk, 1, 1, Decimal("18000"))


def test_an_outcome_goes_forward_only(people):
    alice, bruno, shared, _private = people
    intro = _ask(bruno, shared)
    with pytest.raises(TransitionError):
        svc.introduction_outcome_record(introduction=intro, actor=bruno, outcome="meeting_held")
    svc.introduction_accept(introduction=intro, actor=alice)
    intro = svc.introduction_outcome_record(introduction=intro, actor=bruno, outcome="meeting_held")
    intro = svc.introduction_outcome_record(introduction=intro, actor=bruno, outcome="no_outcome")
    with pytest.raises(TransitionError):
        svc.introduction_outcome_record(introduction=intro, actor=bruno, outcome="meeting_held")


def test_a_partner_user_cannot_ask(people, introducer_user):
    _alice, _bruno, shared, _private = people
    assert introducer_user.role in (Role.INTRODUCER, Role.RESELLER)
    with pytest.raises(DomainError):
        _ask(introducer_user, shared)


def test_marking_a_relationship_exclusive_declines_the_waiting_requests_and_tells_the_askers(
    people, django_capture_on_commit_callbacks
):
    alice, bruno, shared, _private = people
    carla = seller(first_name="Carla")
    waiting = _ask(bruno, shared)
    accepted = svc.introduction_accept(introduction=_ask(carla, shared), actor=alice)
    until = date.today() + timedelta(30)
    reason = f"Exclusive until {date_format(until, 'SHORT_DATE_FORMAT')}."
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        knows(alice, shared.contact, visibility="shared", exclusive_until=until)
    assert len(queued) == 1  # one e-mail enqueued: to the asker still waiting
    _worker(waiting, "answered")
    waiting.refresh_from_db()
    accepted.refresh_from_db()
    assert waiting.status == "declined"
    assert waiting.decline_reason == reason
    assert accepted.status == "accepted"  # the owner already agreed to that one
    told = [m for m in mail.outbox if m.to == [bruno.email]]
    assert len(told) == 1
    assert "declined" in told[0].subject.lower()
    assert reason in told[0].body


def test_an_introduction_lead_runs_the_sla_timers_of_its_assignment(people):
    alice, bruno, shared, _private = people
    intro = _opportunity(
        bruno, svc.introduction_accept(introduction=_ask(bruno, shared), actor=alice)
    )
    (assignment,) = Assignment.objects.filter(lead=intro.lead, ended_at__isnull=True)
    assert (assignment.salesperson, assignment.reseller) == (bruno, None)  # no territory needed
    sla_sweep(assignment.assigned_at + timedelta(hours=47))
    assert not SlaEvent.objects.filter(assignment=assignment).exists()
    sla_sweep(assignment.assigned_at + timedelta(hours=49))  # not opened in 48 h: reminded
    assert SlaEvent.objects.filter(assignment=assignment, kind="open_reminder").exists()
