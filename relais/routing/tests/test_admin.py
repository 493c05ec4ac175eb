"""Administrators find sales territories, product categories, reseller routing profiles and
coverage requests in the admin; a coverage request is evidence, shown and never edited there."""

import pytest
from django.utils import timezone

from relais.accounts.choices import Role
from relais.leads.models import ProductCategory
from relais.routing.models import CoverageRequest, ResellerProfile, SalesTerritory
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_routing_and_product_screens_list_search_and_filter(client, admin_user):
    category = ProductCategory.objects.create(code="vmc", name="Ventilation", sold_by="salespeople")
    seller = UserFactory(role=Role.SALESPERSON, email="sophie@example.fr")
    SalesTerritory.objects.create(user=seller).departements.set(["69"])
    partner = PartnerFactory(reseller=True, company_name="Isolec SAS")
    ResellerProfile.objects.get_or_create(partner=partner)
    CoverageRequest.objects.create(
        partner=partner, monthly_capacity=12, requested_at=timezone.now()
    )
    client.force_login(admin_user)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for title in ("Sales territories", "Product categories", "Reseller routing profiles"):
        assert title in index
    pages = {
        "/admin/leads/productcategory/?q=Ventil&sold_by__exact=salespeople": "Ventilation",
        "/admin/routing/salesterritory/?q=sophie&active__exact=1": str(seller),
        "/admin/routing/resellerprofile/?q=Isolec": "Isolec",
        "/admin/routing/coveragerequest/?status__exact=pending": "Isolec",
    }
    for url, shown in pages.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url
    assert client.get(f"/admin/leads/productcategory/{category.pk}/change/").status_code == 200


def test_a_coverage_request_cannot_be_added_or_changed_in_the_admin(client, admin_user):
    partner = PartnerFactory(reseller=True)
    request = CoverageRequest.objects.create(
        partner=partner, monthly_capacity=12, requested_at=timezone.now()
    )
    client.force_login(admin_user)
    assert client.get("/admin/routing/coveragerequest/add/").status_code == 403
    response = client.post(
        f"/admin/routing/coveragerequest/{request.pk}/change/", {"monthly_capacity": 99}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.monthly_capacity == 12
