"""Recording accounts, people and relationships: bad input named by field, duplicates found as
the leads find them, the person's right to object and the retention rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from relais.core.errors import DomainError
from relais.leads.models import Suppression
from relais.network import services
from relais.network.choices import Visibility
from relais.network.models import Account, Contact, Relationship
from relais.network.tests.factories import account, contact, knows, seller
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [0, 6, "", "beaucoup", None, -1])
def test_a_strength_outside_1_to_5_is_refused_with_the_scale(value):
    person = contact(account())
    with pytest.raises(DomainError) as caught:
        knows(seller(), person, strength=value)
    assert "strength" in caught.value.fields
    assert "5 – close, would take my call" in caught.value.fields["strength"]
    assert not Relationship.objects.exists()


def test_the_database_refuses_a_strength_outside_the_scale_too():
    rel = knows(seller(), contact(account()))
    with pytest.raises(IntegrityError):
        Relationship.objects.filter(pk=rel.pk).update(strength=9)


def test_recording_twice_updates_the_one_relationship():
    alice, person = seller(), contact(account())
    knows(alice, person, strength=2)
    knows(alice, person, strength=4, visibility="shared")
    rel = Relationship.objects.get()
    assert (rel.strength, rel.visibility, rel.account_id) == (4, "shared", person.account_id)


def test_bad_fields_are_named_and_nothing_is_written():
    with pytest.raises(DomainError) as caught:
        knows(
            seller(),
            contact(account()),
            context="colleague?",
            visibility="everyone",
            last_interaction="31/12/2025",
        )
    assert set(caught.value.fields) == {"context", "visibility", "last_interaction"}
    assert not Relationship.objects.exists()


def test_a_future_last_interaction_and_a_past_exclusivity_are_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        knows(seller(), contact(account()), last_interaction=tomorrow, exclusive_until=yesterday)
    assert set(caught.value.fields) == {"last_interaction", "exclusive_until"}


def test_an_account_with_a_known_siren_or_the_same_company_key_is_a_duplicate():
    first = account("Dupont & Fils SARL", siren="732829320")
    with pytest.raises(services.Duplicate) as caught:
        account("Autre nom", siren="732 829 320")
    assert caught.value.existing == first
    with pytest.raises(services.Duplicate):
        account("Société DUPONT FILS")  # same key, same département
    account("Dupont Fils", departement="13")  # another département: another company
    assert Account.objects.count() == 2


def test_a_bad_siren_is_named():
    with pytest.raises(DomainError) as caught:
        account("Acme", siren="123456789")
    assert "siren" in caught.value.fields


def test_an_account_is_linked_to_the_partner_with_its_siren():
    partner = PartnerFactory(siren="732829320")
    assert account("Acme", siren="732829320").partner == partner


def test_a_contact_with_a_known_email_or_the_same_name_at_the_account_is_a_duplicate():
    acme = account()
    first = contact(acme, "Durand", first_name="Claire", email="C.Durand@Acme.fr")
    assert first.email == "c.durand@acme.fr"
    with pytest.raises(services.Duplicate) as caught:
        contact(account(), "Autre", email="c.durand@acme.fr")
    assert caught.value.existing == first
    assert "email" in caught.value.fields
    with pytest.raises(services.Duplicate):
        contact(acme, "DURAND", first_name="Clairé")


def test_a_bad_email_phone_or_linkedin_is_named():
    with pytest.raises(DomainError) as caught:
        contact(account(), "X", email="pas-une-adresse", phone="12", linkedin_url="x.com/a")
    assert set(caught.value.fields) == {"email", "phone", "linkedin_url"}


def test_a_person_who_objects_is_shared_no_more_and_not_recorded_again():
    acme = account()
    person = contact(acme, "Durand", email="claire@acme.fr")
    alice = seller()
    knows(alice, person, visibility="shared")
    assert services.contact_object(contact=person, actor=None, reason="mail du 3/12") == 1
    assert Relationship.objects.get().visibility == Visibility.PRIVATE
    with pytest.raises(DomainError) as caught:
        knows(alice, person, visibility="shared")
    assert "visibility" in caught.value.fields


def test_a_person_on_the_leads_suppression_list_is_not_recorded():
    Suppression.objects.create(kind="email", value="claire@acme.fr", reason="objection")
    with pytest.raises(DomainError) as caught:
        contact(account(), "Durand", email="Claire@acme.fr")
    assert "email" in caught.value.fields
    assert not Contact.objects.exists()


def test_retention_anonymises_people_untouched_for_the_legal_period_and_drops_who_knew_them():
    person = contact(account(), "Durand", email="claire@acme.fr")
    knows(seller(), person)
    fresh = contact(account(), "Jeune")
    Contact.objects.filter(pk=person.pk).update(
        last_activity_at=timezone.now() - timedelta(days=3 * 366 + 1)
    )
    assert services.contacts_retention_purge() == 1
    person.refresh_from_db()
    assert person.anonymised_at
    assert person.email == ""
    assert person.first_name == ""
    assert not Relationship.objects.exists()
    fresh.refresh_from_db()
    assert fresh.anonymised_at is None


def test_only_staff_record_relationships(introducer_user):
    with pytest.raises(DomainError):
        knows(introducer_user, contact(account()))
