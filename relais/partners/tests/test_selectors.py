"""The partners' scoped lookups: a partner user reaches its own partner and its declarations,
no other's; managers reach all; imports are the managers' alone; salespeople see none yet."""

import pytest

from relais.accounts.choices import Role
from relais.partners import selectors
from relais.partners.models import ConflictDeclaration, Partner, PartnerImport
from relais.testing import scoping
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_partners(manager):
    mine, theirs = PartnerFactory(), PartnerFactory(reseller=True)
    me, them = partner_user(mine), partner_user(theirs)
    return (
        (me, scoping.declaration(mine, by=me)),
        (them, scoping.declaration(theirs, by=them)),
    )


def test_a_partner_user_reaches_its_own_partner_and_not_another(two_partners):
    (me, mine), (_them, theirs) = two_partners
    assert selectors.partner_get_for_user(me, mine.partner_id) == mine.partner
    with pytest.raises(Partner.DoesNotExist):
        selectors.partner_get_for_user(me, theirs.partner_id)


def test_a_partner_user_reaches_its_own_declaration_and_not_another(two_partners):
    (me, mine), (_them, theirs) = two_partners
    assert selectors.conflict_declaration_get_for_user(user=me, pk=mine.pk) == mine
    with pytest.raises(ConflictDeclaration.DoesNotExist):
        selectors.conflict_declaration_get_for_user(user=me, pk=theirs.pk)
    assert list(selectors.conflict_declarations_for_user(user=me)) == [mine]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_reach_every_partners_declaration(two_partners, role):
    user = UserFactory(role=role)
    for _user, declaration in two_partners:
        assert selectors.conflict_declaration_get_for_user(user=user, pk=declaration.pk)
    assert selectors.conflict_declarations_for_user(user=user).count() == 2


def test_a_salesperson_reaches_no_partner_nor_declaration(two_partners, salesperson):
    (_me, mine), _theirs = two_partners
    with pytest.raises(Partner.DoesNotExist):
        selectors.partner_get_for_user(salesperson, mine.partner_id)
    with pytest.raises(ConflictDeclaration.DoesNotExist):
        selectors.conflict_declaration_get_for_user(user=salesperson, pk=mine.pk)


def test_a_partner_import_is_reached_by_managers_only(manager, admin_user, salesperson):
    batch = scoping.partner_import(by=manager)
    for user in (manager, admin_user):
        assert selectors.partner_import_get_for_user(user=user, pk=batch.pk) == batch
    for user in (salesperson, partner_user(PartnerFactory())):
        with pytest.raises(PartnerImport.DoesNotExist):
            selectors.partner_import_get_for_user(user=user, pk=batch.pk)


def test_of_visible_partners_follows_a_path_to_the_partner(two_partners):
    (me, mine), _theirs = two_partners
    declarations = ConflictDeclaration.objects.all()
    assert list(selectors.of_visible_partners(declarations, user=me)) == [mine]
