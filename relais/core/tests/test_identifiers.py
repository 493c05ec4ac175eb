import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from relais.core import identifiers


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def message_of(check, value):
    with pytest.raises(ValidationError) as excinfo:
        check(value)
    return excinfo.value.messages[0]


def test_siren_is_compacted_and_checked():
    assert identifiers.validate_siren("732 829 320") == "732829320"
    message = message_of(identifiers.validate_siren, "732829321")
    assert "SIREN 732829321" in message
    assert "Luhn" in message
    assert "9 digits" in message_of(identifiers.validate_siren, "12345")


def test_siret_follows_luhn_except_for_la_poste():
    assert identifiers.validate_siret("732 829 320 00074") == "73282932000074"
    assert "Luhn" in message_of(identifiers.validate_siret, "73282932000075")
    # La Poste establishments: the digit sum is a multiple of 5 (this one sums to 20).
    assert identifiers.validate_siret("35600000000048") == "35600000000048"
    message = message_of(identifiers.validate_siret, "35600000000049")
    assert "SIRET 35600000000049" in message
    assert "multiple of 5" in message


def test_vat_key_is_computed_from_the_siren():
    assert identifiers.vat_key_for_siren("732829320") == "44"
    assert identifiers.validate_vat_fr("FR 44 732829320").value == "FR44732829320"
    message = message_of(identifiers.validate_vat_fr, "FR45732829320")
    assert "FR45732829320" in message
    assert "should be 44" in message


def test_alphanumeric_vat_key_warns_but_is_accepted():
    checked = identifiers.validate_vat_fr("FRA1732829320")
    assert checked.value == "FRA1732829320"
    assert "alphanumeric" in checked.warning


def test_vat_with_a_bad_siren_is_refused():
    assert "SIREN" in message_of(identifiers.validate_vat_fr, "FR44732829321")


def test_iban_checks_length_and_mod_97():
    assert identifiers.validate_iban("FR14 2004 1010 0505 0001 3M02 606") == (
        "FR1420041010050500013M02606"
    )
    assert "mod 97" in message_of(identifiers.validate_iban, "FR1520041010050500013M02606")
    assert "27 characters" in message_of(identifiers.validate_iban, "FR142004101005050001")


def test_bic_has_8_or_11_characters():
    assert identifiers.validate_bic("bnpafrpp") == "BNPAFRPP"
    assert identifiers.validate_bic("BNPAFRPPXXX") == "BNPAFRPPXXX"
    assert "8 or 11" in message_of(identifiers.validate_bic, "BNPAFRP")


@pytest.mark.parametrize(
    "raw", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33612345678", "06.12.34.56.78"]
)
def test_french_phones_are_stored_in_e164(raw):
    assert identifiers.normalize_phone(raw) == "+33612345678"


def _by_the_parser(raw: str) -> str | None:
    """The reference: what phonenumbers' own parser makes of ``raw``, or None if invalid."""
    try:
        parsed = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@settings(max_examples=1000)
@given(
    st.integers(min_value=0, max_value=999_999_999),
    st.sampled_from(["0{}", "+33{}", "0033{}", "+33 {}", "0{} ", "00 33 {}"]),
    st.sampled_from(["", " ", ".", "-"]),
)
def test_plain_french_numbers_are_judged_as_the_phone_parser_judges_them(digits, form, sep):
    """The shortcut for plainly written French numbers accepts, refuses and formats exactly
    as phonenumbers' parser would, whatever the nine digits (valid ranges or not)."""
    national = f"{digits:09d}"
    written = form.format(sep.join(national[i : i + 2] for i in range(0, 9, 2)))
    expected = _by_the_parser(written)
    try:
        got: str | None = identifiers.normalize_phone(written)
    except ValidationError:
        got = None
    assert got == expected


def test_invalid_phone_names_the_value():
    assert "Phone 12345" in message_of(identifiers.normalize_phone, "12345")


@given(st.integers(min_value=10_000_000, max_value=99_999_999))
def test_any_luhn_completed_siren_validates_and_its_vat_number_too(body):
    siren = f"{body}{luhn.calc_check_digit(str(body))}"
    assert identifiers.validate_siren(siren) == siren
    vat = f"FR{identifiers.vat_key_for_siren(siren)}{siren}"
    assert identifiers.validate_vat_fr(vat).warning == ""
