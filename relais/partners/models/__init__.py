"""The partners app's models, one module per concern."""

from relais.partners.models.compliance import (
    AuditItem,
    ComplianceAudit,
    ConflictDeclaration,
    Dispute,
)
from relais.partners.models.contracts import (
    ContractTemplate,
    DocumentRequirement,
    Reminder,
    Signature,
)
from relais.partners.models.imports import PartnerImport
from relais.partners.models.notices import VersionNotice, VersionNotification
from relais.partners.models.partner import Partner, PartnerMember, PendingBankChange
from relais.partners.models.selection import (
    CriterionScore,
    PortfolioDeal,
    Scorecard,
    SelectionCriterion,
)

__all__ = [
    "AuditItem",
    "ComplianceAudit",
    "ConflictDeclaration",
    "ContractTemplate",
    "CriterionScore",
    "Dispute",
    "DocumentRequirement",
    "Partner",
    "PartnerImport",
    "PartnerMember",
    "PendingBankChange",
    "PortfolioDeal",
    "Reminder",
    "Scorecard",
    "SelectionCriterion",
    "Signature",
    "VersionNotice",
    "VersionNotification",
]
