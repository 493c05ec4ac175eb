import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from relais.partners.models import Partner
from relais.partners.services import partner_create, partner_update

pytestmark = pytest.mark.django_db

COMPANY = {
    "kind": "reseller",
    "legal_form": "company",
    "tax_regime": "vat_liable",
    "company_name": "Soleil Habitat SAS",
    "email": " Contact@Soleil-Habitat.FR ",
    "phone": "04 78 12 34 56",
    "postcode": "69003",
    "city": "Lyon",
    "siret": "732 829 320 00074",
    "vat_number": "FR44732829320",
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "PSSTFRPPLYO",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def errors_of(data, **kwargs):
    with pytest.raises(ValidationError) as excinfo:
        partner_create(data=data, **kwargs)
    assert Partner.objects.count() == 0, "nothing is saved when input is bad"
    return {field: messages[0] for field, messages in excinfo.value.message_dict.items()}


def test_a_valid_company_is_stored_normalised_with_its_departement():
    partner, warnings = partner_create(data=COMPANY, served_departements=["69", "01"])
    assert warnings == []
    assert partner.email == "contact@soleil-habitat.fr"
    assert partner.phone == "+33478123456"
    assert partner.siren == "732829320"  # derived from the SIRET
    assert partner.siret == "73282932000074"
    assert partner.iban == "FR1420041010050500013M02606"
    assert partner.departement_id == "69"
    assert sorted(d.code for d in partner.served_departements.all()) == ["01", "69"]
    assert len(partner.referral_code) == 8


def test_every_bad_field_is_named_with_its_rule_and_nothing_is_saved():
    errors = errors_of(
        {
            **COMPANY,
            "siret": "73282932000075",
            "iban": "FR1520041010050500013M02606",
            "postcode": "7500",
            "email": "not-an-email",
        }
    )
    assert "73282932000075" in errors["siret"]
    assert "Luhn" in errors["siret"]
    assert "mod 97" in errors["iban"]
    assert "5 digits" in errors["postcode"]
    assert "not-an-email" in errors["email"]


def test_an_individual_reseller_is_refused():
    errors = errors_of({**COMPANY, "legal_form": "individual", "first_name": "A", "last_name": "B"})
    assert "reseller is a business" in errors["legal_form"]


def test_an_individual_introducer_declares_occasional_income():
    data = {
        "kind": "introducer",
        "legal_form": "individual",
        "tax_regime": "vat_liable",
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea@example.fr",
        "postcode": "13001",
    }
    assert "occasional income" in errors_of(data)["tax_regime"]
    partner, _ = partner_create(data={**data, "tax_regime": "bnc_non_pro"})
    assert partner.departement_id == "13"


def test_siret_and_vat_must_belong_to_the_siren():
    errors = errors_of({**COMPANY, "siren": "552100554"})
    assert "does not belong to SIREN 552100554" in errors["siret"]
    assert "does not contain SIREN" in errors["vat_number"]


def test_an_alphanumeric_vat_key_is_saved_with_a_warning():
    partner, warnings = partner_create(data={**COMPANY, "vat_number": "FRA1732829320"})
    assert partner.vat_number == "FRA1732829320"
    assert "alphanumeric" in warnings[0]


def test_unknown_served_departement_is_refused():
    assert "99" in errors_of(COMPANY, served_departements=["99"])["served_departements"]


def test_a_partial_update_changes_only_what_is_given():
    partner, _ = partner_create(data=COMPANY)
    partner_update(partner=partner, data={"postcode": "20200"})
    partner.refresh_from_db()
    assert partner.departement_id == "2B"
    assert partner.siret == "73282932000074"
    with pytest.raises(ValidationError):
        partner_update(partner=partner, data={"iban": "FR00"})
    partner.refresh_from_db()
    assert partner.iban == "FR1420041010050500013M02606"


def test_a_referral_code_collision_draws_another_code(monkeypatch):
    first, _ = partner_create(data=COMPANY)
    codes = iter([first.referral_code, "fresh234"])
    monkeypatch.setattr("relais.partners.services.records.new_referral_code", lambda: next(codes))
    second, _ = partner_create(data={**COMPANY, "email": "other@soleil-habitat.fr"})
    assert second.referral_code == "fresh234"
    assert Partner.objects.count() == 2
