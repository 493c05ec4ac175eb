"""Shapes shared by every app's API router (the routers live in the apps, the API in relais.api)."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.pagination import PageNumberPagination

from relais.core.counting import list_count


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    """The one error body of the API: ``{"error": {"code", "message", "fields"}}``."""

    error: ErrorDetail


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Pages(PageNumberPagination):
    """Page-number pagination (``?page=2&page_size=100``) returning ``items`` and ``count``
    (exact up to 10,000 rows, then at most a minute old: ``core.counting``)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(page_size=50, max_page_size=500, **kwargs)

    def _items_count(self, queryset: Any) -> int:
        return list_count(queryset)
