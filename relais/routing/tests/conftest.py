import pytest

from relais.leads.models import ProductCategory
from relais.leads.services import lead_submit, lead_transition
from relais.routing.models import ResellerProfile
from relais.testing.factories import PartnerFactory, partner_user


def make_reseller(departements=("69",), capacity=20, categories=(), with_user=False):
    partner = PartnerFactory(reseller=True)
    partner.served_departements.set(departements)
    profile, _ = ResellerProfile.objects.get_or_create(partner=partner)
    profile.monthly_capacity = capacity
    profile.save()
    profile.categories.set(ProductCategory.objects.filter(code__in=categories))
    if with_user:
        partner_user(partner)
    return partner


def make_qualified(manager, number=0, postcode="69003", category=""):
    lead = lead_submit(
        data={
            "last_name": f"P{number}",
            "phone": f"0611{number:06d}",
            "postcode": postcode,
            "category": category,
        },
        channel="staff",
    )
    return lead_transition(lead=lead, to="qualified", actor=manager)


@pytest.fixture
def reseller_factory():
    return make_reseller


@pytest.fixture
def qualified_factory(manager):
    return lambda *a, **k: make_qualified(manager, *a, **k)
