"""The commissions' scoped lookups: a partner user reaches its own partner's lines, payments,
invoices, corrections and gifts and no other's; runs and plans are the managers' alone."""

import pytest

from relais.accounts.choices import Role
from relais.commissions import selectors
from relais.commissions.models import (
    CommissionLine,
    CorrectionRequest,
    Invoice,
    PaymentItem,
    PaymentRun,
    Plan,
    Redemption,
)
from relais.testing import scoping
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db

# (selector, the object's attribute on PartnerObjects, its model)
PARTNERS_OWN = [
    (selectors.commission_line_get_for_user, "line", CommissionLine),
    (selectors.payment_item_get_for_user, "item", PaymentItem),
    (selectors.invoice_get_for_user, "invoice", Invoice),
    (selectors.correction_request_get_for_user, "correction", CorrectionRequest),
    (selectors.redemption_get_for_user, "redemption", Redemption),
]
NETWORK_WIDE = [
    (selectors.payment_run_get_for_user, "run", PaymentRun),
    (selectors.plan_get_for_user, "plan", Plan),
]


@pytest.fixture
def two_partners(manager):
    mine, theirs = PartnerFactory(reseller=True), PartnerFactory(reseller=True)
    me, them = partner_user(mine), partner_user(theirs)
    return (
        scoping.partner_objects(mine, me, manager=manager),
        scoping.partner_objects(theirs, them, manager=manager),
    )


@pytest.mark.parametrize(("lookup", "attr", "model"), PARTNERS_OWN)
def test_a_partner_user_finds_its_own_object_and_not_another_partners(
    two_partners, lookup, attr, model
):
    mine, theirs = two_partners
    own = getattr(mine, attr)
    assert lookup(user=mine.user, pk=own.pk) == own
    with pytest.raises(model.DoesNotExist):
        lookup(user=mine.user, pk=getattr(theirs, attr).pk)


@pytest.mark.parametrize(("lookup", "attr", "model"), PARTNERS_OWN + NETWORK_WIDE)
@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_managers_find_every_partners_object(two_partners, lookup, attr, model, role):
    user = UserFactory(role=role)
    for objects in two_partners:
        assert lookup(user=user, pk=getattr(objects, attr).pk) == getattr(objects, attr)


@pytest.mark.parametrize(("lookup", "attr", "model"), PARTNERS_OWN + NETWORK_WIDE)
def test_a_salesperson_finds_no_commission_object(two_partners, salesperson, lookup, attr, model):
    with pytest.raises(model.DoesNotExist):
        lookup(user=salesperson, pk=getattr(two_partners[0], attr).pk)


@pytest.mark.parametrize(("lookup", "attr", "model"), NETWORK_WIDE)
def test_runs_and_plans_are_not_a_partners_even_when_they_pay_it(two_partners, lookup, attr, model):
    mine, _theirs = two_partners
    with pytest.raises(model.DoesNotExist):
        lookup(user=mine.user, pk=getattr(mine, attr).pk)


def test_the_lists_hold_the_partners_own_rows_only(two_partners, manager):
    mine, theirs = two_partners
    assert list(selectors.commission_lines_for_user(user=mine.user)) == [mine.line]
    assert list(selectors.invoices_for_user(user=mine.user)) == [mine.invoice]
    assert set(selectors.invoices_for_user(user=manager)) == {mine.invoice, theirs.invoice}
    assert not selectors.payment_runs_for_user(user=mine.user).exists()
