"""The leads' scoped lookups: who reaches a lead (its partner, its assignee, the salesperson who
brought it, managers) and a lead import (managers only)."""

import pytest

from relais.leads import selectors
from relais.leads.models import Lead, LeadImport
from relais.testing import scoping
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_resellers():
    mine, theirs = PartnerFactory(reseller=True), PartnerFactory(reseller=True)
    return (partner_user(mine), scoping.lead(mine)), (partner_user(theirs), scoping.lead(theirs))


def test_a_partner_user_reaches_its_own_lead_and_not_another_partners(two_resellers):
    (me, mine), (_them, theirs) = two_resellers
    assert selectors.lead_get_for_user(user=me, pk=mine.pk) == mine
    with pytest.raises(Lead.DoesNotExist):
        selectors.lead_get_for_user(user=me, pk=theirs.pk)


def test_an_introducer_reaches_the_lead_it_brought_even_once_assigned_elsewhere(two_resellers):
    (_me, assigned), _theirs = two_resellers
    introducer = PartnerFactory()
    Lead.objects.filter(pk=assigned.pk).update(partner=introducer)
    user = partner_user(introducer)
    assert selectors.lead_get_for_user(user=user, pk=assigned.pk).pk == assigned.pk


def test_managers_reach_every_lead(two_resellers, manager, admin_user):
    for user in (manager, admin_user):
        for _owner, lead in two_resellers:
            assert selectors.lead_get_for_user(user=user, pk=lead.pk) == lead


def test_a_salesperson_reaches_only_the_leads_brought_or_given_to_them(two_resellers):
    (_me, mine), (_them, theirs) = two_resellers
    salesperson = UserFactory(role="salesperson")
    Lead.objects.filter(pk=mine.pk).update(assigned_salesperson=salesperson)
    assert selectors.lead_get_for_user(user=salesperson, pk=mine.pk).pk == mine.pk
    with pytest.raises(Lead.DoesNotExist):
        selectors.lead_get_for_user(user=salesperson, pk=theirs.pk)


def test_a_lead_import_is_reached_by_managers_only(manager, admin_user, salesperson):
    batch = scoping.lead_import(by=manager)
    for user in (manager, admin_user):
        assert selectors.lead_import_get_for_user(user=user, pk=batch.pk) == batch
    assert list(selectors.lead_imports_for_user(user=manager)) == [batch]
    for user in (salesperson, partner_user(PartnerFactory(reseller=True))):
        with pytest.raises(LeadImport.DoesNotExist):
            selectors.lead_import_get_for_user(user=user, pk=batch.pk)
