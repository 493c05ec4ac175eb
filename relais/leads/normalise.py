"""Normalising a prospect: one canonical form per identifier, and the keys duplicates match on."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from relais.core import identifiers
from relais.core.territory import departement_served, normalize_postcode
from relais.leads.choices import KeyKind

LEGAL_FORMS = frozenset(
    [
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "ei",
        "eirl",
        "sci",
        "snc",
        "scop",
        "scp",
        "selarl",
        "selas",
        "sca",
        "gie",
        "ste",
        "societe",
        "cie",
        "et",
        "company",
        "ltd",
        "inc",
        "gmbh",
    ]
)
# Shared mail providers: the same domain says nothing about who the prospect is.
PUBLIC_DOMAINS = frozenset(
    [
        "gmail.com",
        "yahoo.fr",
        "yahoo.com",
        "hotmail.fr",
        "hotmail.com",
        "outlook.fr",
        "outlook.com",
        "live.fr",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "laposte.net",
        "icloud.com",
        "neuf.fr",
        "bbox.fr",
        "protonmail.com",
    ]
)
TEXT_FIELDS = ("first_name", "last_name", "company_name", "address_line", "city", "need")


def company_key(name: str) -> str:
    """``"Société Dupont & Fils SARL"`` → ``"dupont fils"``: case, accents and legal forms gone."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(w for w in words if w not in LEGAL_FORMS)


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Clean the prospect's fields; raise a ValidationError naming every bad field."""
    cleaned = {f: str(data.get(f) or "").strip() for f in TEXT_FIELDS}
    errors: dict[str, str] = {}
    email = str(data.get("email") or "").strip()
    if email:
        try:
            email = identifiers.normalize_email(email)
        except ValidationError as exc:
            errors["email"] = exc.messages[0]
    phone = str(data.get("phone") or "").strip()
    if phone:
        try:
            phone = identifiers.normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    siren = str(data.get("siren") or "").strip()
    siret = str(data.get("siret") or "").strip()
    try:
        siren = identifiers.validate_siren(siren) if siren else ""
        if siret and not siren:
            siren = identifiers.validate_siret(siret)[:9]
    except ValidationError as exc:
        errors["siret" if siret and not data.get("siren") else "siren"] = exc.messages[0]
    try:
        postcode = normalize_postcode(str(data.get("postcode") or ""))
        departement: str | None = departement_served(postcode)  # None: outside the territory
    except ValidationError as exc:
        errors["postcode"] = exc.messages[0]
        postcode, departement = "", ""
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = _("Give an e-mail or a phone number to reach the prospect.")
    if not (cleaned["last_name"] or cleaned["company_name"] or cleaned["first_name"]):
        errors["last_name"] = _("Give the prospect's name or company.")
    if errors:
        raise ValidationError(errors)
    return {
        **cleaned,
        "email": email,
        "phone": phone,
        "siren": siren,
        "postcode": postcode,
        "departement_id": departement,
    }


def prospect_keys(cleaned: dict[str, Any]) -> list[tuple[str, str]]:
    """The identities a duplicate is matched on, in a stable order (the lock order)."""
    keys = []
    if cleaned["email"]:
        keys.append((KeyKind.EMAIL.value, cleaned["email"]))
    if cleaned["phone"]:
        keys.append((KeyKind.PHONE.value, cleaned["phone"]))
    if cleaned["siren"]:
        keys.append((KeyKind.SIREN.value, cleaned["siren"]))
    name = company_key(cleaned["company_name"])
    if name:
        keys.append((KeyKind.COMPANY.value, f"{name}|{cleaned['postcode']}"))
    return sorted(keys)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1] if "@" in email else ""
