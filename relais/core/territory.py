"""Postcode → département.

The rules follow french-rules.md: the first two digits in metropolitan France, Corsica split into
2A (200xx, 201xx) and 2B (202xx, 206xx), overseas départements on three digits, and the overseas
collectivities (975, 977 via 97133, 978 via 97150). Postcodes whose commune lies in another
département than their prefix says are listed in ``POSTCODE_EXCEPTIONS``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

POSTCODE_RE = re.compile(r"^\d{5}$")

# Postcodes shared by communes of a neighbouring département, where the prefix is wrong.
# Without La Poste's full table (not shipped by any registry package) this list is the place to
# record such cases; each entry is a single postcode → the département of its communes.
POSTCODE_EXCEPTIONS: dict[str, str] = {
    "97133": "977",  # Saint-Barthélemy
    "97150": "978",  # Saint-Martin
}

_OVERSEAS = {"971", "972", "973", "974", "975", "976"}


def normalize_postcode(value: str) -> str:
    """Return the 5-digit postcode or raise a ValidationError naming the value and the rule."""
    compact = re.sub(r"\s", "", value or "")
    if not POSTCODE_RE.match(compact):
        raise ValidationError(
            _("Postcode %(value)s: a French postcode has exactly 5 digits."),
            code="postcode_format",
            params={"value": value},
        )
    return compact


def departement_for_postcode(value: str) -> str:
    """Return the département code (``"75"``, ``"2A"``, ``"974"``…) for a French postcode."""
    postcode = normalize_postcode(value)
    if postcode in POSTCODE_EXCEPTIONS:
        return POSTCODE_EXCEPTIONS[postcode]
    prefix2, prefix3 = postcode[:2], postcode[:3]
    if prefix2 == "20":
        return _corsica(postcode)
    if prefix2 == "97":
        if prefix3 in _OVERSEAS:
            return prefix3
        raise _unknown(postcode)
    if prefix2 in {"00", "96", "98", "99"}:
        raise _unknown(postcode)
    return prefix2


def departement_served(value: str) -> str | None:
    """The département of a well-formed postcode, or None when no French département uses it
    (98000 is Monaco's, 99xxx foreign): such a lead is kept, outside the territory, for a manager
    to place, rather than refused — an introducer's referral is never lost for its address. A
    postcode that is not five digits, or a Corsican one out of range, is still refused: a typo."""
    try:
        return departement_for_postcode(value)
    except ValidationError as exc:
        if exc.code == "postcode_unknown":
            return None
        raise


def _corsica(postcode: str) -> str:
    if postcode[:3] in {"200", "201"}:
        return "2A"
    if postcode[:3] in {"202", "206"}:
        return "2B"
    raise ValidationError(
        _("Postcode %(value)s: Corsican postcodes start with 200 or 201 (2A), 202 or 206 (2B)."),
        code="postcode_corsica",
        params={"value": postcode},
    )


def _unknown(postcode: str) -> ValidationError:
    return ValidationError(
        _("Postcode %(value)s: no French département uses this postcode range."),
        code="postcode_unknown",
        params={"value": postcode},
    )
