import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_manager_creates_a_partner_from_the_form(client, manager):
    client.force_login(manager)
    response = client.post(
        "/partners/new/",
        {
            "kind": "introducer",
            "legal_form": "individual",
            "status": "candidate",
            "tax_regime": "bnc_non_pro",
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "lea@example.fr",
            "postcode": "33000",
            "phone": "06 12 34 56 78",
        },
    )
    partner = Partner.objects.get()
    assert response.url == f"/partners/{partner.pk}/"
    assert partner.phone == "+33612345678"
    assert "Léa Martin" in client.get(response.url).content.decode()


def test_a_bad_siret_in_the_form_names_the_field_and_saves_nothing(client, manager):
    client.force_login(manager)
    response = client.post(
        "/partners/new/",
        {
            "kind": "reseller",
            "legal_form": "company",
            "status": "candidate",
            "tax_regime": "vat_liable",
            "company_name": "ACME SAS",
            "email": "a@acme.fr",
            "postcode": "69003",
            "siret": "12345678901234",
        },
    )
    assert response.status_code == 422
    assert "SIRET 12345678901234" in response.content.decode()
    assert response.context["form"].errors["siret"]
    assert not Partner.objects.exists()


def test_list_filters_and_searches(client, manager):
    PartnerFactory(last_name="Durand", status="active")
    PartnerFactory(last_name="Petit", status="paused")
    PartnerFactory(reseller=True, company_name="Toitures Martin SARL")
    client.force_login(manager)
    names = lambda url: [p.display_name for p in client.get(url).context["page"]]  # noqa: E731
    assert len(names("/partners/")) == 3
    assert names("/partners/?status=paused") == [n for n in names("/partners/") if "Petit" in n]
    assert names("/partners/?kind=reseller") == ["Toitures Martin SARL"]
    assert names("/partners/?q=durand") == [n for n in names("/partners/") if "Durand" in n]


def test_list_query_count_does_not_grow_with_the_partners(client, manager):
    client.force_login(manager)
    PartnerFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        client.get("/partners/")
    PartnerFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        client.get("/partners/")
    assert len(many) == len(few)


def test_unknown_partner_is_404(client, manager):
    client.force_login(manager)
    assert client.get("/partners/999999/").status_code == 404


def test_the_manager_sets_a_partners_e_invoicing_address_checked_against_its_siren(client, manager):
    from relais.partners.services import EDITABLE_FIELDS

    partner = PartnerFactory(reseller=True)
    client.force_login(manager)
    data = {f: getattr(partner, f) for f in EDITABLE_FIELDS} | {"status": partner.status}
    bad = client.post(f"/partners/{partner.pk}/edit/", data | {"einvoice_address": "a b"})
    assert bad.status_code == 422
    assert bad.context["form"].errors["einvoice_address"]
    address = f"{partner.siren}_COMPTA"
    response = client.post(f"/partners/{partner.pk}/edit/", data | {"einvoice_address": address})
    assert response.status_code == 302
    assert address in client.get(f"/partners/{partner.pk}/").content.decode()
