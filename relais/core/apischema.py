"""Shapes shared by every app's API router (the routers live in the apps, the API in relais.api)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
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
