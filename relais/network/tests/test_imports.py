"""Importing accounts and people: a CSV with broken rows (each reported by field, the good ones
imported, nothing half-written), duplicates recognised as the leads recognise them, an
all-or-nothing run that writes nothing, and a salesperson's vCard export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from relais.network.models import Account, Contact, NetworkImport, Relationship
from relais.network.tests.factories import account, contact

pytestmark = pytest.mark.django_db(transaction=True)

FILE = """Société;SIREN;Secteur;Département;Prénom;Nom;Fonction;Courriel;Téléphone
Acme Industrie SAS;732829320;Chimie;69;Claire;Durand;DG;claire@acme.fr;04 72 00 00 01
Acme Industrie;;Chimie;69;Marc;Petit;DAF;marc@acme.fr;
Beta SA;123456789;BTP;13;Inès;Roux;DSI;ines@beta.fr;
Gamma;;;99;Luc;Blanc;;luc@gamma.fr;
Delta;;;75;Jo;;;jo@delta.fr;
Known SARL;;;33;Paul;Ancien;;paul@known.fr;
"""

VCF = """BEGIN:VCARD
VERSION:3.0
N:Durand;Claire;;;
FN:Claire Durand
ORG:Acme Industrie
TITLE:Directrice générale
EMAIL;TYPE=WORK:claire@acme.fr
TEL;TYPE=CELL:+33 6 12 34 56 78
URL:https://www.linkedin.com/in/claire-durand
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Hugo Martin
ORG:Omega Conseil
EMAIL:hugo@omega.fr
END:VCARD
"""


def _run(client, batch, **extra):
    data = {f"map_{f}": h for f, h in batch.mapping.items()} | {"mode": "valid_only"} | extra
    client.post(f"/network/imports/{batch.pk}/", data)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    return batch


def test_a_dry_run_reports_each_bad_row_by_field_then_the_good_rows_are_imported(
    client, salesperson
):
    known = account("Known SARL", departement="33")
    contact(known, "Ancien", first_name="Paul", email="paul@known.fr")
    client.force_login(salesperson)
    client.post("/network/imports/new/", {"file": SimpleUploadedFile("carnet.csv", FILE.encode())})
    batch = NetworkImport.objects.get()
    assert batch.mapping["name"] == "Société"
    assert batch.mapping["last_name"] == "Nom"
    _run(client, batch, action="preview")
    assert (batch.valid, batch.invalid, batch.created) == (3, 3, 0)
    assert {e.row: set(e.fields) for e in batch.errors.all()} == {
        4: {"siren"},
        5: {"departement"},
        6: {"last_name"},
    }
    assert Account.objects.count() == 1  # the dry run wrote nothing
    page = client.get(f"/network/imports/{batch.pk}/").content.decode()
    assert "Durand" in page
    batch = _run(client, batch, action="import")
    assert batch.created == 2
    assert batch.duplicates == 1  # Paul Ancien was known
    # "Acme Industrie SAS" and "Acme Industrie" are one account (the SIREN, then the key).
    assert Account.objects.filter(name_key="acme industrie").count() == 1
    assert set(Contact.objects.values_list("last_name", flat=True)) == {"Durand", "Petit", "Ancien"}


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(client, salesperson):
    client.force_login(salesperson)
    client.post("/network/imports/new/", {"file": SimpleUploadedFile("c.csv", FILE.encode())})
    batch = _run(client, NetworkImport.objects.get(), action="import", mode="all_or_nothing")
    assert batch.created == 0
    assert batch.invalid == 3
    assert not Contact.objects.exists()


def test_a_vcard_export_is_imported_with_the_importers_relationship(client, salesperson):
    client.force_login(salesperson)
    client.post("/network/imports/new/", {"file": SimpleUploadedFile("contacts.vcf", VCF.encode())})
    batch = NetworkImport.objects.get()
    assert batch.source == "vcard"
    assert batch.total_rows == 2
    _run(client, batch, action="import", strength="4", context="customer", visibility="on_request")
    claire = Contact.objects.get(last_name="Durand")
    assert claire.account.name == "Acme Industrie"
    assert claire.phone == "+33612345678"
    assert claire.linkedin_url == "https://www.linkedin.com/in/claire-durand"
    assert Contact.objects.get(last_name="Martin").first_name == "Hugo"
    rels = Relationship.objects.filter(owner=salesperson)
    assert set(rels.values_list("strength", "visibility")) == {(4, "on_request")}
    assert rels.count() == 2


def test_a_strength_outside_the_scale_for_the_file_is_refused_before_anything_runs(
    client, salesperson
):
    client.force_login(salesperson)
    client.post("/network/imports/new/", {"file": SimpleUploadedFile("c.vcf", VCF.encode())})
    batch = _run(client, NetworkImport.objects.get(), action="import", strength="9")
    assert batch.state == "uploaded"
    assert not Contact.objects.exists()


def test_a_salesperson_does_not_reach_a_colleagues_import(client, salesperson, manager):
    client.force_login(manager)
    client.post("/network/imports/new/", {"file": SimpleUploadedFile("c.vcf", VCF.encode())})
    batch = NetworkImport.objects.get()
    client.force_login(salesperson)
    assert client.get(f"/network/imports/{batch.pk}/").status_code == 404
