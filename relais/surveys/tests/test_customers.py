"""Customers come from won deals (once per deal, whatever the deliveries) and from files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from relais.core import outbox
from relais.leads.events import LeadWon
from relais.surveys.customers import on_lead_won
from relais.surveys.models import Customer, CustomerImport
from relais.surveys.tests.helpers import won_lead
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_a_won_lead_becomes_a_customer_with_product_seller_and_departement(manager):
    reseller = PartnerFactory(reseller=True)
    lead = won_lead(manager, reseller=reseller)
    outbox.deliver_all()
    found = Customer.objects.get(lead=lead)
    assert (found.email, found.reseller, found.departement_id) == (lead.email, reseller, "69")
    assert found.product_id == lead.category_id
    assert found.won_at == lead.won_at


def test_a_deal_sold_by_a_salesperson_names_them(manager):
    lead = won_lead(manager)
    outbox.deliver_all()
    assert Customer.objects.get(lead=lead).salesperson == lead.assigned_salesperson


def test_the_event_delivered_twice_makes_one_customer(manager):
    lead = won_lead(manager)
    outbox.deliver_all()
    on_lead_won(LeadWon(lead_id=lead.pk))
    on_lead_won(LeadWon(lead_id=lead.pk))
    assert Customer.objects.filter(lead=lead).count() == 1


FILE = (
    "Prénom;Nom;Courriel;Code postal;Produit;Code revendeur\n"
    "Anne;Durand;anne@orange.fr;75011;;\n"
    "Paul;Petit;pas-un-email;75011;;\n"
    "Lise;Moreau;lise@free.fr;6900;;\n"
    "Marc;Roux;marc@free.fr;33000;;INCONNU\n"
    "Léa;Blanc;lea@free.fr;13001;;{code}\n"
)


@pytest.mark.django_db(transaction=True)
def test_an_import_dry_run_reports_each_bad_row_then_imports_the_good_ones(client, manager):
    reseller = PartnerFactory(reseller=True)
    upload = SimpleUploadedFile("clients.csv", FILE.format(code=reseller.referral_code).encode())
    client.force_login(manager)
    client.post("/surveys/customers/import/", {"file": upload})
    batch = CustomerImport.objects.get()
    assert batch.mapping["email"] == "Courriel"
    data = {f"map_{f}": h for f, h in batch.mapping.items()} | {"mode": "valid_only"}
    client.post(f"/surveys/customers/import/{batch.pk}/", {**data, "action": "preview"})
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert (batch.valid, batch.invalid, batch.created) == (2, 3, 0)
    assert Customer.objects.count() == 0
    errors = {e.row: set(e.fields) for e in batch.errors.all()}
    assert errors == {3: {"email"}, 4: {"postcode"}, 5: {"reseller_code"}}
    page = client.get(f"/surveys/customers/import/{batch.pk}/")
    assert "INCONNU" in page.content.decode()
    client.post(f"/surveys/customers/import/{batch.pk}/", {**data, "action": "import"})
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert batch.created == 2
    assert set(Customer.objects.values_list("email", flat=True)) == {
        "anne@orange.fr",
        "lea@free.fr",
    }
    assert Customer.objects.get(email="lea@free.fr").reseller == reseller
