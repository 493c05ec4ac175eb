"""Idempotency-Key: a retried API write returns the first answer and creates nothing twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from pydantic import BaseModel

from relais.core.errors import DomainError
from relais.leads.models import IdempotencyRecord

Answer = tuple[int, Any]


def idempotent(request: HttpRequest, payload: Any, run: Callable[[], Answer]) -> Answer:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return run()
    if len(key) > 200:
        raise DomainError(
            _("Idempotency-Key: at most 200 characters."),
            code="invalid",
            fields={"Idempotency-Key": _("Too long.")},
        )
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    with transaction.atomic():
        # The row lock makes a retry sent while the first call still runs wait for its answer.
        record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
            owner=request.user,  # type: ignore[misc]  # the API authenticates before this runs
            key=key,
            defaults={"request_hash": digest},
        )
        if not created:
            if record.request_hash != digest:
                raise DomainError(
                    _("This Idempotency-Key was already used for a different request."),
                    code="idempotency_conflict",
                )
            if record.status_code is not None:
                return record.status_code, record.response
        status, body = run()
        record.status_code, record.response = status, _as_json(body)
        record.save(update_fields=["status_code", "response"])
    return status, body


def _as_json(body: Any) -> Any:
    """The answer as the record keeps it: JSON, a response model dumped as the API sends it."""
    return body.model_dump(mode="json") if isinstance(body, BaseModel) else body
