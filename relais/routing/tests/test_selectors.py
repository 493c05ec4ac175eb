"""The routing's scoped reads: an assignee's inbox holds the leads assigned to it and nobody
else's; anyone without an inbox (an introducer, a manager) reaches no inbox lead."""

import pytest

from relais.accounts.choices import Role
from relais.leads.models import Lead
from relais.routing.selectors import inbox_for, inbox_lead
from relais.testing import scoping
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_resellers():
    mine, theirs = PartnerFactory(reseller=True), PartnerFactory(reseller=True)
    return (partner_user(mine), scoping.lead(mine)), (partner_user(theirs), scoping.lead(theirs))


def test_a_reseller_reaches_its_inbox_lead_and_not_another_resellers(two_resellers):
    (me, mine), (_them, theirs) = two_resellers
    assert inbox_lead(me, mine.pk) == mine
    with pytest.raises(Lead.DoesNotExist):
        inbox_lead(me, theirs.pk)
    assert list(inbox_for(me)) == [mine]


def test_a_salesperson_reaches_the_leads_assigned_to_them_only(two_resellers):
    (_me, mine), (_them, theirs) = two_resellers
    salesperson = UserFactory(role=Role.SALESPERSON)
    Lead.objects.filter(pk=mine.pk).update(assigned_reseller=None, assigned_salesperson=salesperson)
    assert inbox_lead(salesperson, mine.pk).pk == mine.pk
    with pytest.raises(Lead.DoesNotExist):
        inbox_lead(salesperson, theirs.pk)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN, Role.INTRODUCER])
def test_whoever_has_no_inbox_reaches_no_inbox_lead(two_resellers, role):
    (_me, mine), _theirs = two_resellers
    user = partner_user(PartnerFactory()) if role == Role.INTRODUCER else UserFactory(role=role)
    with pytest.raises(Lead.DoesNotExist):
        inbox_lead(user, mine.pk)
    assert not inbox_for(user).exists()
