"""Every write of the partners app, one module per concern; the names callers use are here."""

from relais.partners.selectors import documents_for, missing_documents
from relais.partners.services.compliance import (
    audit_complete,
    audit_schedule,
    declaration_review,
    declaration_submit,
    dispute_move,
    dispute_open,
)
from relais.partners.services.contracts import (
    signature_sign,
    template_publish,
    template_warnings,
)
from relais.partners.services.records import (
    EDITABLE_FIELDS,
    new_referral_code,
    partner_create,
    partner_member_add,
    partner_update,
)
from relais.partners.services.selection import scorecard_decide, scorecard_score
from relais.partners.services.status import (
    TRANSITIONS,
    partner_activate_if_ready,
    partner_transition,
)

__all__ = [
    "EDITABLE_FIELDS",
    "TRANSITIONS",
    "audit_complete",
    "audit_schedule",
    "declaration_review",
    "declaration_submit",
    "dispute_move",
    "dispute_open",
    "documents_for",
    "missing_documents",
    "new_referral_code",
    "partner_activate_if_ready",
    "partner_create",
    "partner_member_add",
    "partner_transition",
    "partner_update",
    "scorecard_decide",
    "scorecard_score",
    "signature_sign",
    "template_publish",
    "template_warnings",
]
