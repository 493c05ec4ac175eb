"""Demo onboarding state: scorecards, signed documents, declarations (small network only).

The large network skips signatures: 100,000 copies of contract texts would only weigh on the
benchmark database, which measures leads and commissions.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from django.utils import timezone

from relais.accounts.models import User
from relais.partners.choices import ConflictStatus, Decision, PartnerStatus
from relais.partners.models import (
    ConflictDeclaration,
    CriterionScore,
    Partner,
    Scorecard,
    SelectionCriterion,
    Signature,
)
from relais.partners.services.contracts import documents_for, render

DECLARATIONS = [
    "Mon beau-frère est commercial chez un installateur concurrent.",
    "Je suis conseiller municipal de ma commune (commission des travaux).",
    "J'ai un mandat d'agent pour une autre marque de pompes à chaleur.",
]


def build_onboarding(rng: random.Random, manager: User) -> None:
    criteria = list(SelectionCriterion.objects.all())
    now = timezone.now()
    for partner in Partner.objects.prefetch_related("members__user").order_by("pk"):
        signer = next((m.user for m in partner.members.all()), None)
        if partner.status == PartnerStatus.CANDIDATE:
            if rng.random() < 0.5:
                _scorecard(partner, criteria, rng, manager, decided=False)
            continue
        _scorecard(partner, criteria, rng, manager, decided=True)
        if signer is not None:
            _sign_required(partner, signer, now - timedelta(days=rng.randint(10, 300)))
    _declarations(rng, manager)
    _audits_and_disputes(rng, manager)


def _scorecard(
    partner: Partner,
    criteria: list[SelectionCriterion],
    rng: random.Random,
    manager: User,
    *,
    decided: bool,
) -> None:
    card = Scorecard.objects.create(
        partner=partner,
        decision=Decision.ACCEPT if decided else Decision.PENDING,
        decided_by=manager if decided else None,
        decided_at=timezone.now() if decided else None,
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(
            scorecard=card, criterion=c, score=rng.randint(2, 5), evidence="Entretien de sélection"
        )
        for c in criteria
    )


def _sign_required(partner: Partner, signer: User, when) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for document in documents_for(partner):
        if document.required:
            text = render(document.template, partner, when.date())
            rows.append(Signature(
                partner=partner, template=document.template, signed_by=signer, signed_at=when,
                ip="192.0.2.10", user_agent="Mozilla/5.0 (démo)", text=text,
                text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                expires_at=when + timedelta(days=365),
            ))  # fmt: skip
    Signature.objects.bulk_create(rows)


def _declarations(rng: random.Random, manager: User) -> None:
    members = list(
        User.objects.filter(partner_membership__isnull=False).select_related(
            "partner_membership__partner"
        )[:12]
    )
    for index, user in enumerate(members):
        partner = user.partner_membership.partner
        has_conflict = index % 4 == 0
        reviewed = index % 3 != 0
        ConflictDeclaration.objects.create(
            partner=partner, declared_by=user, has_conflict=has_conflict,
            description=rng.choice(DECLARATIONS) if has_conflict else "",
            status=ConflictStatus.ACCEPTED if reviewed else ConflictStatus.PENDING,
            reviewed_by=manager if reviewed else None,
            reviewed_at=timezone.now() if reviewed else None,
        )  # fmt: skip


def _audits_and_disputes(rng: random.Random, manager: User) -> None:
    from decimal import Decimal

    from relais.partners.services.compliance import audit_schedule, dispute_open

    active = list(Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("pk")[:8])
    today = timezone.localdate()
    for partner in active[:5]:
        audit_schedule(
            partner=partner, title="Audit de conformité annuel",
            due_date=today + timedelta(days=rng.randint(-10, 60)), checks=[],
            recurrence_months=12, actor=manager,
        )  # fmt: skip
    subjects = ["Commission contestée sur un chantier annulé", "Lead attribué à deux apporteurs"]
    for partner, subject in zip(active[5:7], subjects, strict=False):
        dispute_open(
            partner=partner, subject=subject, parties=f"{partner.display_name} / Ventes",
            amount_at_stake=Decimal(rng.randint(200, 3000)), deadline=today + timedelta(days=30),
            actor=manager,
        )  # fmt: skip
