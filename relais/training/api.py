"""``/api/v1/training/``: the modules (a manager reads them all; a partner's token reads the
modules meant for it, each with whether it is done) and a partner's own certificates. The same
selectors as the pages; mounted in ``relais/api/api.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from relais.accounts.decorators import request_user
from relais.core.apischema import ERRORS
from relais.partners.selectors import partner_for_user
from relais.training import progress, selectors
from relais.training.certificates import certificate_state, certificate_title
from relais.training.choices import CertificateState, ModuleAudience
from relais.training.models import Certificate

router = Router(tags=["training"])


class ModuleOut(Schema):
    id: int
    title: str
    summary: str
    audience: ModuleAudience
    language: str
    segment: str
    published: bool
    version: int = Field(description="Goes up when everyone must take the module again.")
    questions: int
    pass_mark: int | None
    validity_years: int = Field(description="0: the certificate never expires.")
    required_for: ModuleAudience | None = Field(description="Who must complete it before working.")
    done: bool | None = Field(
        description="For a partner's token: the current version completed (read, quiz passed, "
        "certificate live). None for a manager."
    )


class CertificateOut(Schema):
    id: int
    code: str
    title: str = Field(description="The module's or the path's title.")
    module: int | None
    path: int | None
    version: int
    issued_at: datetime
    expires_at: datetime | None
    state: CertificateState


def _module_out(module: Any, done: bool | None) -> dict[str, Any]:
    return {
        "id": module.pk,
        "title": module.title,
        "summary": module.summary,
        "audience": module.audience,
        "language": module.language,
        "segment": module.segment,
        "published": module.published,
        "version": module.version,
        "questions": module.n_questions,
        "pass_mark": module.pass_mark,
        "validity_years": module.validity,
        "required_for": module.required_for or None,
        "done": done,
    }


@router.get("/training/modules", response={200: list[ModuleOut], **ERRORS})
def modules(request: HttpRequest) -> list[dict[str, Any]]:
    """A manager: every module, drafts included. A partner: the published modules meant for it
    (its kind, language and segment), each saying whether it is done."""
    user = request_user(request)
    if user.can_manage:
        return [_module_out(m, None) for m in selectors.module_list(user=user)]
    partner = partner_for_user(user)
    if partner is None:
        raise PermissionDenied(_("Only managers and partners read the training modules."))
    mine = list(progress.modules_for(partner).annotate(n_questions=Count("questions")))
    done = progress.done_modules([partner.pk], mine)[partner.pk]
    return [_module_out(m, m.pk in done) for m in mine]


@router.get("/training/certificates", response={200: list[CertificateOut], **ERRORS})
def certificates(request: HttpRequest) -> list[dict[str, Any]]:
    """The token's partner's certificates, the latest first, each valid, expired or revoked."""
    partner = partner_for_user(request_user(request))
    if partner is None:
        raise PermissionDenied(_("Only a partner has certificates."))
    rows = Certificate.objects.filter(partner=partner).select_related("module", "path")
    return [
        {
            "id": c.pk,
            "code": c.code,
            "title": certificate_title(c),
            "module": c.module_id,
            "path": c.path_id,
            "version": c.version,
            "issued_at": c.issued_at,
            "expires_at": c.expires_at,
            "state": certificate_state(c),
        }
        for c in rows
    ]
