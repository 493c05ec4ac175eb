"""What blocks paying a partner (french-rules.md), checked for each partner of a payment run:
no signed contract, no valid IBAN, a professional with neither a self-billing mandate nor an
invoice of its own, a self-billed professional without a SIREN, a missing or expired URSSAF
vigilance certificate where its contracts reach the threshold, an ended partnership."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop
from stdnum import iban as iban_check

from relais.commissions.choices import LineKind
from relais.commissions.models import CommissionLine, OwnInvoice, VigilanceCertificate
from relais.core.deferred import Deferred, later, money, say
from relais.core.params import legal_value
from relais.partners.choices import DocumentKind, PartnerStatus
from relais.partners.models import ContractTemplate, DocumentRequirement, Partner, Signature
from relais.partners.selectors import current_template


@dataclass(frozen=True)
class Block:
    """One reason a partner cannot be paid: ``says`` is a deferred message (``core.deferred``),
    stored with the run and translated for whoever reads it."""

    code: str
    says: Deferred

    @property
    def message(self) -> str:
        return say(self.says)


def has_mandate(partner: Partner) -> bool:
    """A signed, unexpired self-billing mandate (signed before any self-billed invoice)."""
    signed = Signature.objects.filter(
        partner=partner, template__kind=DocumentKind.SELF_BILLING_MANDATE
    )
    now = timezone.now()
    return any(s.is_valid_on(now) for s in signed)


@dataclass
class Context:
    """What the checks need for many partners, read in a few queries (a run pays thousands)."""

    required: dict[str, list[ContractTemplate]]
    signed: set[tuple[int, int]]
    mandates: set[int]
    own: dict[int, OwnInvoice]
    contracts: dict[int, Decimal]
    vigilance: dict[int, VigilanceCertificate]
    on: date


def _context(ids: list[int], pros: list[int], on: date) -> Context:
    """``pros``: those of ``ids`` who are professionals, the only ones the invoice and URSSAF
    checks concern (their reads cost the most: every line of the year)."""
    required: dict[str, list[ContractTemplate]] = defaultdict(list)
    for kind, document in DocumentRequirement.objects.order_by("pk").values_list(
        "partner_kind", "document_kind"
    ):
        template = current_template(document)
        if template is not None:
            required[kind].append(template)
    signed = set(_valid_signatures(ids).values_list("partner_id", "template_id"))
    mandates = mandated_partners(pros)
    own = oldest_unused_own_invoices(pros)
    contracts = dict(
        CommissionLine.objects.filter(
            partner__in=pros,
            earned_on__year=on.year,
            kind__in=(LineKind.COMMISSION, LineKind.BONUS),
        )
        .values("partner_id")
        .annotate(s=Sum("amount"))
        .values_list("partner_id", "s")
    )
    vigilance: dict[int, VigilanceCertificate] = {}
    for certificate in VigilanceCertificate.objects.filter(
        partner__in=pros, issued_on__lte=on
    ).order_by("issued_on"):
        vigilance[certificate.partner_id] = certificate  # the latest wins
    return Context(required, signed, mandates, own, contracts, vigilance, on)


def _valid_signatures(ids: list[int]) -> QuerySet[Signature]:
    now = timezone.now()
    return Signature.objects.filter(partner__in=ids).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def mandated_partners(ids: list[int]) -> set[int]:
    """Those of these partners with a signed, unexpired self-billing mandate."""
    mandates = _valid_signatures(ids).filter(template__kind=DocumentKind.SELF_BILLING_MANDATE)
    return set(mandates.values_list("partner_id", flat=True))


def oldest_unused_own_invoices(ids: list[int]) -> dict[int, OwnInvoice]:
    """Each partner's oldest invoice of its own not yet used by a payment."""
    own: dict[int, OwnInvoice] = {}
    unused = OwnInvoice.objects.filter(partner__in=ids, item__isnull=True)
    for invoice in unused.order_by("-uploaded_at"):
        own[invoice.partner_id] = invoice  # the oldest wins: it comes last
    return own


def blocks_many(
    partners: list[Partner], amounts: dict[int, Decimal], on: date
) -> dict[int, list[Block]]:
    """The blocks of each partner for the amount it would be paid, in a handful of queries."""
    found: dict[int, list[Block]] = {}
    for start in range(0, len(partners), 2000):
        chunk = partners[start : start + 2000]
        pros = [p.pk for p in chunk if p.is_professional]
        context = _context([p.pk for p in chunk], pros, on)
        threshold = legal_value("vigilance_contract_threshold", on)
        for partner in chunk:
            found[partner.pk] = _blocks(partner, amounts[partner.pk], context, threshold)
    return found


def _blocks(partner: Partner, amount: Decimal, c: Context, threshold: Decimal) -> list[Block]:
    found = []
    if partner.status == PartnerStatus.ENDED:
        found.append(Block("ended", later(gettext_noop("The partnership has ended."))))
    missing = [t for t in c.required.get(partner.kind, []) if (partner.pk, t.pk) not in c.signed]
    if missing:
        titles = ", ".join(t.title for t in missing)
        found.append(
            Block("contract", later(gettext_noop("Not signed: %(titles)s."), titles=titles))
        )
    if not partner.iban or not iban_check.is_valid(partner.iban):
        found.append(Block("iban", later(gettext_noop("No valid IBAN."))))
    if partner.is_professional:
        own = c.own.get(partner.pk)
        if partner.pk not in c.mandates and (own is None or own.amount_incl_vat < amount):
            found.append(
                Block(
                    "invoice",
                    later(
                        gettext_noop(
                            "Neither a self-billing mandate nor an invoice of its own for"
                            " %(amount)s."
                        ),
                        amount=money(amount),
                    ),
                )
            )
        if partner.pk in c.mandates and not partner.siren:
            # The self-billed invoice names the supplier by its SIREN (a mandatory mention, and
            # BR-FR-10 of the e-invoicing reform): without one no valid invoice can be issued.
            found.append(
                Block(
                    "siren",
                    later(gettext_noop("No SIREN, which a self-billed invoice must show.")),
                )
            )
        certificate = c.vigilance.get(partner.pk)
        valid = certificate is not None and certificate.valid_until >= c.on
        if c.contracts.get(partner.pk, Decimal(0)) >= threshold and not valid:
            found.append(
                Block(
                    "vigilance",
                    later(
                        gettext_noop(
                            "URSSAF vigilance certificate missing or expired "
                            "(contracts ≥ %(t)s excl. VAT)."
                        ),
                        t=money(threshold, whole=True),
                    ),
                )
            )
    return found


def blocks(partner: Partner, amount: Decimal, on: date) -> list[Block]:
    return blocks_many([partner], {partner.pk: amount}, on)[partner.pk]
