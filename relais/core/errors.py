"""Errors a service raises that the UI and the API turn into a clear message."""

from __future__ import annotations


class DomainError(Exception):
    """A refused business operation: ``code`` is machine-readable, ``message`` is for people."""

    status = 400

    def __init__(
        self, message: str, *, code: str = "refused", fields: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


class TransitionError(DomainError):
    """An illegal move in a lifecycle (API: 409)."""

    status = 409


class MissingParameter(DomainError):
    """A dated legal parameter has no value on the date asked."""

    status = 500


class NotYours(DomainError):
    """An object outside the user's scope, met inside a service (views and API: 404)."""

    status = 404
