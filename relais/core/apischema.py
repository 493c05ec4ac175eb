"""Shapes shared by every app's API router (the routers live in the apps, the API in relais.api)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from pydantic import BeforeValidator

from relais.core.counting import list_count


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    """The one error body of the API: ``{"error": {"code", "message", "fields"}}``."""

    error: ErrorDetail


# Every operation documents every error status it can give (429: past a token's allowance,
# core.ratelimit; 503: the database cannot be reached).
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys(
    (400, 401, 403, 404, 409, 422, 429, 503), ErrorOut
)

# Pages stop here, far past any real list: beyond it, page x page size overflows the 64-bit
# OFFSET of SQLite and PostgreSQL (a 500), so it is refused as a 422 naming ``page``.
MAX_PAGE = 1_000_000

# A record's id, as the databases store it (a signed 64-bit integer): a larger number named as a
# filter or in a path is refused as a 422 naming it, not sent to SQLite, which cannot bind it (500).
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omissible(**kwargs: Any) -> Any:
    """A field that may be left out (a PATCH leaves it unchanged) but is never null: its type
    alone says what it takes, and JSON null is refused as a 422 naming it. The ``None``
    default only marks it unset: pydantic does not validate a default."""
    return Field(None, json_schema_extra=_no_default, **kwargs)


_YYYY_MM_DD = re.compile(r"\d{4}-\d{2}-\d{2}")


def _yyyy_mm_dd(value: Any) -> Any:
    # pydantic would also take a number as a Unix time (0 is 1970-01-01): not what the
    # schema's ``format: date`` promises, nor what a caller sending 0 meant.
    if isinstance(value, date) or (isinstance(value, str) and _YYYY_MM_DD.fullmatch(value)):
        return value
    raise ValueError(_("Input should be a date written YYYY-MM-DD."))


IsoDate = Annotated[date, BeforeValidator(_yyyy_mm_dd)]
"""A date as the schema documents it (``format: date``): ``2026-12-02``, nothing else."""


class Pages(PageNumberPagination):
    """Page-number pagination (``?page=2&page_size=100``) returning ``items`` and ``count``
    (exact up to 10,000 rows, then at most a minute old: ``core.counting``)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="A page past the last is empty.")
        page_size: int = omissible(ge=1, description="50 when left out; more than 500 gives 500.")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(page_size=50, max_page_size=500, **kwargs)

    def _items_count(self, queryset: Any) -> int:
        return list_count(queryset)


class CursorPages(Pages):
    """Pages, plus a cursor for the lists that can hold millions of rows (leads, commission
    lines, webhook deliveries): each answer's ``next_cursor``, sent back as ``?cursor=``, gives
    the rows after the last one it held, found through the ordering's index however deep the
    walk (a page number makes the database step over every earlier row: page 10,000 of 50
    reads 500,000). With ``cursor``, ``page`` is ignored; rows added meanwhile never shift the
    walk. ``ordering`` is descending on its fields, the last one the primary key."""

    class Input(Pages.Input):
        cursor: str = omissible(
            max_length=300,
            description="The `next_cursor` of the previous answer (opaque); leave out at first.",
        )

    class Output(Schema):
        items: list[Any]
        count: int
        next_cursor: str | None = Field(
            description="Send it back as `cursor` for the rows after these; null at the end."
        )

    def __init__(self, *, ordering: tuple[str, ...] = ("-pk",), **kwargs: object) -> None:
        super().__init__(**kwargs)
        if ordering[-1] != "-pk" or not all(name.startswith("-") for name in ordering):
            raise ValueError(f"a cursor walks a descending ordering ending on -pk: {ordering}")
        self.fields = [name[1:] for name in ordering]

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        size = self._get_page_size(pagination.page_size)
        rows = queryset.order_by(*(f"-{name}" for name in self.fields))
        if pagination.cursor is not None:
            rows = rows.filter(self._after(queryset.model, pagination.cursor))
        else:
            start = (pagination.page - 1) * size
            rows = rows[start:]
        page = list(rows[: size + 1])
        following = self._encode(page[size - 1]) if len(page) > size else None
        return {
            "items": page[:size],
            "count": self._items_count(queryset),
            "next_cursor": following,
        }

    def _encode(self, row: Any) -> str:
        values = [getattr(row, name) for name in self.fields]
        text = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def _after(self, model: Any, cursor: str) -> Q:
        """The rows strictly after the cursor's, in the descending ordering."""
        values = self._decode(model, cursor)
        after = Q()
        for i in range(len(self.fields)):
            step = Q(**{f"{self.fields[i]}__lt": values[i]})
            for name, value in zip(self.fields[:i], values[:i], strict=True):
                step &= Q(**{name: value})
            after |= step
        return after

    def _decode(self, model: Any, cursor: str) -> list[Any]:
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            if not isinstance(raw, list) or len(raw) != len(self.fields):
                raise ValueError(cursor)
            values = [
                (model._meta.pk if name == "pk" else model._meta.get_field(name)).to_python(value)
                for name, value in zip(self.fields, raw, strict=True)
            ]
            if any(v is None or (isinstance(v, int) and abs(v) >= 2**63) for v in values):
                raise ValueError(cursor)
        except (ValueError, TypeError, binascii.Error, DjangoValidationError):
            message = _("Not a cursor this list gave: start again without it.")
            raise NinjaValidationError([{"loc": ("query", "cursor"), "msg": message}]) from None
        return values
