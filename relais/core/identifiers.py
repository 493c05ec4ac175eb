"""French identifiers: validation with a message that names the value and the rule.

Each ``validate_*`` returns the compact, normalised value or raises Django's ValidationError.
python-stdnum does the arithmetic; the FR VAT key follows french-rules.md so that alphanumeric
keys only warn.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import idna
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import bic, iban
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret

LA_POSTE_SIREN = "356000000"
FRENCH_IBAN_LENGTH = 27


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value or "").upper()


def _error(message: str, code: str, value: str) -> ValidationError:
    return ValidationError(message, code=code, params={"value": value})


def validate_siren(value: str) -> str:
    number = _compact(value)
    if not re.fullmatch(r"\d{9}", number):
        raise _error(_("SIREN %(value)s: a SIREN has exactly 9 digits."), "siren_format", value)
    if not siren.is_valid(number):
        raise _error(
            _("SIREN %(value)s: the check digit is wrong (Luhn key)."), "siren_checksum", value
        )
    return number


def validate_siret(value: str) -> str:
    number = _compact(value)
    if not re.fullmatch(r"\d{14}", number):
        raise _error(_("SIRET %(value)s: a SIRET has exactly 14 digits."), "siret_format", value)
    if not siret.is_valid(number):
        rule = (
            _("the digits of a La Poste SIRET must add up to a multiple of 5")
            if number.startswith(LA_POSTE_SIREN)
            else _("the check digit is wrong (Luhn key)")
        )
        raise ValidationError(
            _("SIRET %(value)s: %(rule)s."),
            code="siret_checksum",
            params={"value": value, "rule": rule},
        )
    return number


@dataclass(frozen=True)
class VatCheck:
    """A VAT number that passed validation, with a warning when it could not be fully checked."""

    value: str
    warning: str = ""


def vat_key_for_siren(siren_number: str) -> str:
    return f"{(12 + 3 * (int(siren_number) % 97)) % 97:02d}"


def validate_vat_fr(value: str) -> VatCheck:
    number = _compact(value)
    if not re.fullmatch(r"FR[0-9A-Z]{2}\d{9}", number):
        raise _error(
            _("VAT number %(value)s: a French VAT number is FR, a 2-character key and the SIREN."),
            "vat_format",
            value,
        )
    key, siren_part = number[2:4], number[4:]
    validate_siren(siren_part)
    if not key.isdigit():
        return VatCheck(
            number,
            _(
                "VAT number %(value)s: the key %(key)s is alphanumeric and cannot be checked here; "
                "verify it on VIES."
            )
            % {"value": number, "key": key},
        )
    expected = vat_key_for_siren(siren_part)
    if key != expected:
        raise ValidationError(
            _("VAT number %(value)s: the key should be %(expected)s for SIREN %(siren)s."),
            code="vat_key",
            params={"value": value, "expected": expected, "siren": siren_part},
        )
    return VatCheck(number)


def validate_iban(value: str) -> str:
    number = _compact(value)
    try:
        if number.startswith("FR") and len(number) != FRENCH_IBAN_LENGTH:
            raise InvalidLength
        iban.validate(number)
    except InvalidLength:
        raise _error(
            _("IBAN %(value)s: wrong length for its country (a French IBAN has 27 characters)."),
            "iban_length",
            value,
        ) from None
    except InvalidChecksum:
        raise _error(
            _("IBAN %(value)s: the check digits are wrong (ISO 13616 mod 97)."),
            "iban_checksum",
            value,
        ) from None
    except StdnumError:
        raise _error(
            _(
                "IBAN %(value)s: not a valid IBAN (country code, then 2 check digits, then the "
                "account)."
            ),
            "iban_format",
            value,
        ) from None
    return number


def validate_bic(value: str) -> str:
    number = _compact(value)
    try:
        return str(bic.validate(number))
    except StdnumError:
        raise _error(
            _("BIC %(value)s: a BIC has 8 or 11 characters (bank, country, location, branch)."),
            "bic_format",
            value,
        ) from None


# A French number written plainly: 0 or +33 (or 0033), nine digits, the usual separators.
_PLAIN_FRENCH = re.compile(r"(?:0|\+33|0033)([1-9]\d{8})")
_SEPARATORS = str.maketrans("", "", " .-")


def _parse(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    """What ``phonenumbers.parse`` gives; a plain French number without its parser (35 µs of
    the ~60 each lead's normalisation costs), which would find the same nine digits."""
    if region == "FR":
        plain = _PLAIN_FRENCH.fullmatch(value.translate(_SEPARATORS))
        if plain:
            return phonenumbers.PhoneNumber(country_code=33, national_number=int(plain[1]))
    try:
        return phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None


def normalize_phone(value: str, region: str = "FR") -> str:
    """Return the phone number in E.164 (``+33612345678``)."""
    parsed = _parse(value, region)
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise _error(
            _(
                "Phone %(value)s: not a valid number (French numbers: 0 or +33 followed by 9 "
                "digits)."
            ),
            "phone_invalid",
            value,
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# UTS 39's "highly restrictive" mixes: Japanese, Chinese and Korean write one word in several
# scripts, with Latin; any other mix in one label is how a look-alike domain is made.
_SCRIPT_MIXES = (
    {"Latin", "Han", "Hiragana", "Katakana"},
    {"Latin", "Han", "Bopomofo"},
    {"Latin", "Han", "Hangul"},
)


def _script(char: str) -> str:
    """A letter's script, from its Unicode name ("CYRILLIC SMALL LETTER A" → Cyrillic)."""
    word = unicodedata.name(char, "").split(" ", 1)[0].title()
    return "Han" if word == "Cjk" else word


def _mixed_scripts(label: str) -> list[str]:
    """The scripts of a label's letters, in the order met, when more than one is mixed."""
    scripts = list(
        dict.fromkeys(_script(c) for c in label if unicodedata.category(c) in {"Lu", "Ll", "Lo"})
    )
    if len(scripts) < 2 or any(set(scripts) <= mix for mix in _SCRIPT_MIXES):
        return []
    return scripts


def _ascii_domain(value: str, domain: str) -> str:
    """The domain in ASCII (IDNA 2008 through UTS 46's mapping: case, full-width forms...),
    refused when one of its labels mixes scripts."""
    try:
        encoded = idna.encode(domain, uts46=True).decode("ascii")
        labels = idna.decode(encoded).split(".")
    except (idna.IDNAError, UnicodeError):
        raise _error(_("E-mail %(value)s: not a valid address."), "email_invalid", value) from None
    for label in labels:
        if scripts := _mixed_scripts(label):
            raise ValidationError(
                _(
                    "E-mail %(value)s: its domain mixes alphabets (%(scripts)s), as look-alike "
                    "addresses do."
                ),
                code="email_mixed_scripts",
                params={"value": value, "scripts": ", ".join(scripts)},
            )
    return encoded


def normalize_email(value: str) -> str:
    """The address as it is stored and looked up: trimmed, lower-case, its domain in ASCII
    (``Jean@Café.fr`` → ``jean@xn--caf-dma.fr``), so one mailbox has one spelling. Raises a
    ValidationError naming the value for an invalid address or a look-alike domain."""
    local, at, domain = value.strip().rpartition("@")
    if not domain.isascii() or "xn--" in domain.lower():  # plain ASCII: nothing to convert
        domain = _ascii_domain(value, domain) if at else domain
    email = f"{local}{at}{domain}".lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _error(_("E-mail %(value)s: not a valid address."), "email_invalid", value) from None
    return email


def lookup_email(value: str) -> str:
    """The stored form of an address typed to find an account; one ``normalize_email``
    refuses is only trimmed and lower-cased (it matches no account)."""
    try:
        return normalize_email(value)
    except ValidationError:
        return value.strip().lower()
