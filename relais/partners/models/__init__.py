"""The partners app's models, one module per concern."""

from relais.partners.models.compliance import ConflictDeclaration
from relais.partners.models.contracts import ContractTemplate, DocumentRequirement, Signature
from relais.partners.models.imports import ImportMode, PartnerImport
from relais.partners.models.partner import Partner, PartnerMember, PendingBankChange
from relais.partners.models.selection import (
    CriterionScore,
    PortfolioDeal,
    Scorecard,
    SelectionCriterion,
)

__all__ = [
    "ConflictDeclaration",
    "ContractTemplate",
    "CriterionScore",
    "DocumentRequirement",
    "ImportMode",
    "Partner",
    "PartnerImport",
    "PartnerMember",
    "PendingBankChange",
    "PortfolioDeal",
    "Scorecard",
    "SelectionCriterion",
    "Signature",
]
