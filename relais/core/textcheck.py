"""Text a database cannot store, refused before it is written, with the field named.

PostgreSQL refuses a NUL character in any text and a value longer than its ``varchar(n)``
(a DataError, so a server error); SQLite stores both. Neither can encode a lone UTF-16
surrogate (``"\\ud800"``, which JSON can carry). Each entity's service runs these checks
where its input arrives, with the limits read from its own model's fields, so the rule is
written once and follows the model when a ``max_length`` changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from relais.core.errors import DomainError

# A TextField has no limit in either database; this one keeps a note, a need or a description
# to what a person writes (some five pages), and a pasted file or a flood out of the tables.
TEXT_MAX_CHARS = 10_000


def max_chars(model: type[models.Model], name: str) -> int | None:
    """The most characters ``model.name`` stores: its ``max_length``, ``TEXT_MAX_CHARS`` for a
    TextField, None for a field that is not text (or not a field of the model)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, models.TextField):
        return field.max_length or TEXT_MAX_CHARS
    if isinstance(field, models.CharField):
        return field.max_length
    return None


def _label(model: type[models.Model], name: str) -> str:
    try:
        return capfirst(str(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name


def character_errors(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, str]:
    """``{field: message}`` for each text value holding a NUL or a lone surrogate, whatever the
    field (one not on the model, like a referral code, is looked up and would fail too)."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            errors[name] = _("%(field)s: a NUL character (\\0) cannot be stored; remove it.") % {
                "field": _label(model, name)
            }
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            errors[name] = _(
                "%(field)s: contains an invalid character (a lone surrogate, U+D800 to U+DFFF);"
                " send valid UTF-8 text."
            ) % {"field": _label(model, name)}
    return errors


def length_errors(
    model: type[models.Model],
    values: Mapping[str, Any],
    *,
    limits: Mapping[str, int | None] | None = None,
) -> dict[str, str]:
    """``{field: message}`` for each text value longer than its field stores; ``limits``
    lowers or adds a limit by name (an e-mail is also a prospect key, shorter than the field)."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        limit = (limits or {}).get(name) or max_chars(model, name)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            errors[name] = _(
                "%(field)s: at most %(limit)d characters (this one has %(count)d)."
            ) % {
                "field": _label(model, name),
                "limit": limit,
                "count": len(value),
            }
    return errors


def text_errors(
    model: type[models.Model],
    values: Mapping[str, Any],
    *,
    measure: Iterable[str] | None = None,
    limits: Mapping[str, int | None] | None = None,
) -> dict[str, str]:
    """Both checks; ``measure`` names the values stored as given (default: all of them), the
    others are measured by their own validators once normalised. A bad character wins."""
    wanted = set(values) if measure is None else set(measure)
    lengths = length_errors(model, {k: v for k, v in values.items() if k in wanted}, limits=limits)
    return {**lengths, **character_errors(model, values)}


class BadText(DomainError):
    """Text refused by these checks: a DomainError (every view and API handler already shows
    one, its messages on the fields) answered 422, as a form's or a schema's refusal."""

    status = 422


def refuse_bad_text(
    model: type[models.Model],
    values: Mapping[str, Any],
    *,
    limits: Mapping[str, int | None] | None = None,
) -> None:
    """Raise ``BadText`` naming every value ``model`` cannot store as given."""
    errors = text_errors(model, values, limits=limits)
    if errors:
        raise BadText("; ".join(errors.values()), code="invalid", fields=errors)
