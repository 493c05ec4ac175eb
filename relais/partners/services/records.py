"""Every write of the partners app. Validation names each bad field and saves nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core import events, identifiers
from relais.core.audit import audit_record, diff, snapshot
from relais.core.models import Departement
from relais.core.territory import departement_for_postcode, normalize_postcode
from relais.core.textcheck import character_errors, length_errors
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.events import PartnerCreated
from relais.partners.models import Partner, PartnerMember

# Status is not here: it moves only through ``partner_transition``.
EDITABLE_FIELDS = (
    "kind",
    "legal_form",
    "company_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line",
    "postcode",
    "city",
    "siren",
    "siret",
    "vat_number",
    "iban",
    "bic",
    "einvoice_address",
    "tax_regime",
    "sector",
)

_IDENTIFIERS: dict[str, Callable[[str], str]] = {
    "phone": identifiers.normalize_phone,
    "postcode": normalize_postcode,
    "siren": identifiers.validate_siren,
    "siret": identifiers.validate_siret,
    "iban": identifiers.validate_iban,
    "bic": identifiers.validate_bic,
}
_REFERRAL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed


def _normalise(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Compact every identifier; return the cleaned data, the errors by field and the warnings."""
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    # What the table cannot store (core.textcheck), first: a bad character is never sent on.
    errors: dict[str, str] = character_errors(Partner, cleaned)
    warnings: list[str] = []
    for field, check in _IDENTIFIERS.items():
        if cleaned.get(field) and field not in errors:
            try:
                cleaned[field] = check(cleaned[field])
            except ValidationError as exc:
                errors[field] = exc.messages[0]
    if cleaned.get("email") and "email" not in errors:
        try:
            cleaned["email"] = identifiers.normalize_email(cleaned["email"])
        except ValidationError as exc:
            errors["email"] = exc.messages[0]
    if cleaned.get("vat_number") and "vat_number" not in errors:
        try:
            vat = identifiers.validate_vat_fr(cleaned["vat_number"])
        except ValidationError as exc:
            errors["vat_number"] = exc.messages[0]
        else:
            cleaned["vat_number"] = vat.value
            warnings += [vat.warning] if vat.warning else []
    if cleaned.get("siret") and not cleaned.get("siren") and "siret" not in errors:
        cleaned["siren"] = cleaned["siret"][:9]
    # Measured once normalised (a phone typed with spaces fits once compact).
    lengths = length_errors(Partner, {k: v for k, v in cleaned.items() if k not in errors})
    return cleaned, {**lengths, **errors}, warnings


def _apply(partner: Partner, data: dict[str, Any]) -> list[str]:
    cleaned, errors, warnings = _normalise(data)
    for field in EDITABLE_FIELDS:
        if field in cleaned and field not in errors:
            setattr(partner, field, cleaned[field] if cleaned[field] is not None else "")
    if "postcode" in cleaned and "postcode" not in errors:
        try:
            partner.departement = Departement.objects.get(
                code=departement_for_postcode(partner.postcode)
            )
        except ValidationError as exc:
            errors["postcode"] = exc.messages[0]
        except Departement.DoesNotExist:
            errors["postcode"] = _("Postcode %(value)s: unknown département.") % {
                "value": partner.postcode
            }
    try:
        partner.full_clean(exclude=[*errors, "departement", "referral_code"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)
    return warnings


def _served(codes: Iterable[str]) -> list[Departement]:
    codes = list(codes)
    if any(character_errors(Partner, {"served_departements": code}) for code in codes):
        raise ValidationError(
            {"served_departements": _("Départements served: a code holds an invalid character.")}
        )
    wanted = {c.strip().upper() for c in codes if c.strip()}
    found = list(Departement.objects.filter(code__in=wanted))
    missing = wanted - {d.code for d in found}
    if missing:
        raise ValidationError(
            {
                "served_departements": _("Unknown département code(s): %(codes)s.")
                % {"codes": ", ".join(sorted(missing))}
            }
        )
    return found


def new_referral_code() -> str:
    return "".join(secrets.choice(_REFERRAL_ALPHABET) for _ in range(8))


def partner_check(
    *, data: dict[str, Any], served_departements: Iterable[str] = ()
) -> tuple[Partner, list[Departement], list[str]]:
    """Every check ``partner_create`` makes, nothing written (an import's dry run): the unsaved
    candidate, the départements it serves and its warnings; a ValidationError names each field."""
    partner = Partner(status=PartnerStatus.CANDIDATE)
    warnings = _apply(partner, data)
    served = _served(served_departements) if partner.kind == PartnerKind.RESELLER else []
    return partner, served, warnings


def partner_create(
    *, data: dict[str, Any], served_departements: Iterable[str] = (), actor: User | None = None
) -> tuple[Partner, list[str]]:
    """Create a candidate from raw input. Returns it with non-blocking warnings (e.g. VAT key)."""
    partner, served, warnings = partner_check(data=data, served_departements=served_departements)
    for _attempt in range(5):
        partner.referral_code = new_referral_code()
        try:
            # The unique constraint settles a referral-code collision; we draw again.
            with transaction.atomic():
                partner.save()
                partner.served_departements.set(served)
                audit_record(
                    subject=partner, action="created", actor=actor, target=partner.display_name
                )
                events.publish(PartnerCreated(partner_id=partner.pk))
            return partner, warnings
        except IntegrityError:
            if not Partner.objects.filter(referral_code=partner.referral_code).exists():
                raise  # another constraint failed: not ours to retry
            partner.pk = None
    raise RuntimeError("Could not draw a unique referral code.")


@transaction.atomic
def partner_update(
    *,
    partner: Partner,
    data: dict[str, Any],
    served_departements: Iterable[str] | None = None,
    actor: User | None = None,
) -> tuple[Partner, list[str]]:
    """Update the given fields only (a partial update leaves the others as they are)."""
    fields = (*(f for f in EDITABLE_FIELDS if f in data), "departement")
    before = snapshot(partner, fields)
    served_before = set(partner.served_departements.values_list("code", flat=True))
    warnings = _apply(partner, data)
    partner.save()
    changes = diff(before, snapshot(partner, fields))
    if served_departements is not None and partner.kind == PartnerKind.RESELLER:
        departements = _served(served_departements)
        served = {d.code for d in departements}
        partner.served_departements.set(departements)
        if served != served_before:
            changes["served_departements"] = [sorted(served_before), sorted(served)]
    if changes:
        audit_record(subject=partner, action="updated", actor=actor, changes=changes)
    return partner, warnings


def partner_member_add(*, partner: Partner, user: User) -> PartnerMember:
    if user.role != partner.user_role:
        message = _("Users of this partner must have the %(role)s role.") % {
            "role": partner.user_role.label
        }
        raise ValidationError({"user": message})
    return PartnerMember.objects.create(partner=partner, user=user)
