"""An import names products as the app shows them ("Pompe à chaleur", in any case, with or
without accents) as well as by code, and its column mapping speaks the user's language."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from relais.leads.intake import lead_validate
from relais.leads.models import Lead, LeadImport, ProductCategory

# The real task worker runs here and closes the connection it used: a transactional test.
pytestmark = pytest.mark.django_db(transaction=True)


def _import(client, manager, text):
    client.force_login(manager)
    client.post("/leads/import/", {"file": SimpleUploadedFile("l.csv", text.encode())})
    batch = LeadImport.objects.get()
    data = {"action": "import", "mode": "valid_only"}
    data.update({f"map_{f}": h for f, h in batch.mapping.items()})
    client.post(f"/leads/import/{batch.pk}/", data)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    return batch


def test_products_by_their_shown_name_or_code_are_imported(client, manager):
    ProductCategory.objects.get_or_create(
        code="pompe-a-chaleur", defaults={"name": "Pompe à chaleur"}
    )
    rows = [
        "Nom;Téléphone;Code postal;Produit",
        "Roux;0611223301;44000;Pompe à chaleur",
        "Petit;0611223302;44000;POMPE A CHALEUR",
        "Morel;0611223303;44000;pompe-a-chaleur",
        "Blanc;0611223304;44000;Hélicoptère",
    ]
    batch = _import(client, manager, "\n".join(rows) + "\n")
    assert (batch.state, batch.created, batch.invalid) == ("done", 3, 1)
    assert set(Lead.objects.values_list("category__code", flat=True)) == {"pompe-a-chaleur"}
    (error,) = batch.errors.all()
    assert "Hélicoptère" in error.fields["category"]


@pytest.mark.django_db
def test_one_lead_names_its_product_the_same_ways():
    ProductCategory.objects.get_or_create(code="menuiseries", defaults={"name": "Menuiseries"})
    data = {"last_name": "Roux", "phone": "0611223301", "postcode": "44000"}
    for named in ("Menuiseries", "menuiseries", " MENUISERIES "):
        assert lead_validate({**data, "category": named})["category"].code == "menuiseries"


@pytest.mark.parametrize(
    ("language", "shown", "raw"),
    [
        ("en", ["Postcode", "E-mail", "Product", "Estimated value excl. VAT"], "estimated value"),
        ("fr", ["Code postal", "Produit"], "postcode"),
    ],
)
def test_the_column_mapping_names_the_fields_in_the_users_language(
    client, manager, language, shown, raw
):
    client.force_login(manager)
    upload = SimpleUploadedFile("l.csv", b"Nom;Code postal\nRoux;44000\n")
    client.post("/leads/import/", {"file": upload})
    batch = LeadImport.objects.get()
    page = client.get(f"/leads/import/{batch.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    for label in shown:
        assert f">{label}</label>" in html or f">{label}<" in html, label
    assert f">{raw}<" not in html
