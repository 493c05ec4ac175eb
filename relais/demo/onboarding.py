"""Demo onboarding state: scorecards, signed documents, declarations (small network only).

The large network skips signatures: 100,000 copies of contract texts would only weigh on the
benchmark database, which measures leads and commissions.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.utils import timezone

from relais.accounts.models import User
from relais.commissions.models import VigilanceCertificate
from relais.core.params import legal_value
from relais.partners.choices import (
    ConflictStatus,
    Decision,
    DocumentKind,
    PartnerKind,
    PartnerStatus,
)
from relais.partners.models import (
    ConflictDeclaration,
    CriterionScore,
    Partner,
    Scorecard,
    SelectionCriterion,
    Signature,
)
from relais.partners.services.contracts import documents_for, render

# Papers the dashboard's alerts point at: two contracts ending within the notice period (an
# ended one would leave an active partner without what its activation requires), a vigilance
# certificate ending soon and one ended (each on its own active partner).
CONTRACT_ENDING_IN_DAYS = (12, 3)
VIGILANCE_ENDING_IN_DAYS = (10, -20)
UNMANDATED = 3  # active professional introducers left without a self-billing mandate
DECLARATIONS = [
    "Mon beau-frère est commercial chez un installateur concurrent.",
    "Je suis conseiller municipal de ma commune (commission des travaux).",
    "J'ai un mandat d'agent pour une autre marque de pompes à chaleur.",
]


def build_onboarding(rng: random.Random, manager: User) -> None:
    criteria = list(SelectionCriterion.objects.all())
    now = timezone.now()
    unmandated = 0
    for partner in Partner.objects.prefetch_related("members__user").order_by("pk"):
        signer = next((m.user for m in partner.members.all()), None)
        if partner.status == PartnerStatus.CANDIDATE:
            if rng.random() < 0.5:
                _scorecard(partner, criteria, rng, manager, decided=False)
            continue
        _scorecard(partner, criteria, rng, manager, decided=True)
        if signer is not None:
            # Most professionals sign the self-billing mandate; a few active introducers do not,
            # to show a run holding their payment until they send their own invoice.
            mandate = not (
                partner.is_professional
                and partner.kind == PartnerKind.INTRODUCER
                and partner.status == PartnerStatus.ACTIVE
                and unmandated < UNMANDATED
            )
            unmandated += partner.is_professional and not mandate
            _sign(partner, signer, now - timedelta(days=rng.randint(10, 300)), mandate=mandate)
    _papers_ending(now)
    _declarations(rng, manager)
    _audits_and_disputes(rng, manager)


def _papers_ending(now: datetime) -> None:
    """A few contracts and URSSAF vigilance certificates ending or ended, so the dashboard's
    alerts and the partner list's queues have rows to show (the rest stay valid)."""
    signed = Partner.objects.filter(status=PartnerStatus.ACTIVE, signatures__isnull=False)
    # The contracts ending are individuals': a professional's ended contract would also end its
    # self-billing mandate, and the demo's count of unmandated professionals is UNMANDATED.
    contracts = list(
        signed.filter(legal_form="individual")
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[: len(CONTRACT_ENDING_IN_DAYS)]
    )
    vigilance = list(
        signed.exclude(pk__in=contracts)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[: len(VIGILANCE_ENDING_IN_DAYS)]
    )
    for pk, days in zip(contracts, CONTRACT_ENDING_IN_DAYS, strict=False):
        Signature.objects.filter(partner_id=pk).update(expires_at=now + timedelta(days=days))
    today = timezone.localdate()
    months = int(legal_value("vigilance_validity_months", today))
    for pk, days in zip(vigilance, VIGILANCE_ENDING_IN_DAYS, strict=False):
        # valid until issued_on + months: issued so that it ends ``days`` from today
        issued = today + timedelta(days=days) - relativedelta(months=months)
        VigilanceCertificate.objects.create(
            partner_id=pk,
            issued_on=issued,
            file=ContentFile(
                b"%PDF-1.4\n% attestation de vigilance (demo)\n", name="vigilance.pdf"
            ),
        )


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


def _sign(partner: Partner, signer: User, when: datetime, *, mandate: bool) -> None:
    """The required documents, and the self-billing mandate (offered to professionals only)."""
    rows = []
    for document in documents_for(partner):
        wanted = mandate and document.template.kind == DocumentKind.SELF_BILLING_MANDATE
        if document.required or wanted:
            text = render(document.template, partner, when.date())
            rows.append(
                Signature(
                    partner=partner,
                    template=document.template,
                    signed_by=signer,
                    signed_at=when,
                    ip="192.0.2.10",
                    user_agent="Mozilla/5.0 (démo)",
                    text=text,
                    text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                    expires_at=when + timedelta(days=365),
                )
            )
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
            partner=partner,
            declared_by=user,
            has_conflict=has_conflict,
            description=rng.choice(DECLARATIONS) if has_conflict else "",
            status=ConflictStatus.ACCEPTED if reviewed else ConflictStatus.PENDING,
            reviewed_by=manager if reviewed else None,
            reviewed_at=timezone.now() if reviewed else None,
        )


def _audits_and_disputes(rng: random.Random, manager: User) -> None:
    from decimal import Decimal

    from relais.partners.services.compliance import audit_schedule, dispute_open

    active = list(Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("pk")[:8])
    today = timezone.localdate()
    for partner in active[:5]:
        audit_schedule(
            partner=partner,
            title="Audit de conformité annuel",
            due_date=today + timedelta(days=rng.randint(-10, 60)),
            checks=[],
            recurrence_months=12,
            actor=manager,
        )
    subjects = ["Commission contestée sur un chantier annulé", "Lead attribué à deux apporteurs"]
    for partner, subject in zip(active[5:7], subjects, strict=False):
        dispute_open(
            partner=partner,
            subject=subject,
            parties=f"{partner.display_name} / Ventes",
            amount_at_stake=Decimal(rng.randint(200, 3000)),
            deadline=today + timedelta(days=30),
            actor=manager,
        )
