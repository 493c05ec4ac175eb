"""The demo's introductions, internal bonus, account plan and operations show the feature off
and a second run changes nothing."""

from decimal import Decimal

import pytest
from django.utils import translation

from relais.commissions.models import CommissionLine, EmployeeBonus
from relais.demo.network_work import seed_network_work
from relais.demo.sales_network import seed_sales_network
from relais.network.models import Introduction, Operation
from relais.network.plan_selectors import plan_view
from relais.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_shows_an_introduction_won_a_plan_with_its_gap_and_operations():
    manager = UserFactory(email="manager@relais.demo")
    seed_sales_network()
    seed_network_work()
    seed_network_work()
    assert sorted(Introduction.objects.values_list("status", flat=True)) == [
        "declined",
        "opportunity",
        "requested",
    ]
    bonus = EmployeeBonus.objects.get()
    assert (bonus.employee.email, bonus.amount) == ("karim.haddad@relais.demo", Decimal("770.00"))
    assert not CommissionLine.objects.filter(lead=bonus.lead).exists()
    sophie = Introduction.objects.get(status="opportunity").requester
    vernier = Introduction.objects.get(status="opportunity").relationship.account
    with translation.override("en"):
        view = plan_view(user=sophie, account=vernier)
    assert "Nobody knows the influencer Inès Roux." in view.gaps
    assert set(Operation.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert manager.pk
