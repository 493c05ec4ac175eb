"""One partner's objects of every kind a user reaches by id, for the tests of scoped access
(the access matrix, the apps' selector tests): each maker builds the smallest real row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from relais.accounts.models import ApiToken, User
from relais.accounts.services import api_token_create
from relais.commissions.models import (
    CommissionLine,
    CorrectionRequest,
    Gift,
    Invoice,
    PaymentItem,
    PaymentRun,
    Plan,
    Redemption,
    Rule,
)
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead, LeadImport
from relais.leads.services import lead_submit
from relais.partners import services as partner_services
from relais.partners.choices import PartnerKind
from relais.partners.models import (
    ComplianceAudit,
    ConflictDeclaration,
    ContractTemplate,
    Dispute,
    Partner,
    PartnerImport,
    Signature,
)

_numbers = iter(range(1, 1_000_000))


def commission_line(partner: Partner) -> CommissionLine:
    """A pending line of a one-rule plan (the plan is the network's, made once)."""
    plan, _ = Plan.objects.get_or_create(name="Portée", defaults={"status": "active"})
    rule = plan.rules.first() or Rule.objects.create(
        plan=plan,
        code="fixe",
        name="Fixe",
        trigger="won",
        formula="fixed",
        amount=Decimal(1),
        valid_from=date(2020, 1, 1),
    )
    return CommissionLine.objects.create(
        partner=partner,
        rule=rule,
        event_key=f"scoping:{next(_numbers)}",
        kind="commission",
        amount=Decimal("10.00"),
        earned_on=date.today(),
    )


def payment_item(partner: Partner, *, by: User) -> PaymentItem:
    """The partner's payment in a run of its own (a run is the network's, not the partner's)."""
    run = PaymentRun.objects.create(cutoff=date.today(), execution_date=date.today(), created_by=by)
    return PaymentItem.objects.create(
        run=run,
        partner=partner,
        amount_excl_vat=Decimal(10),
        amount=Decimal(10),
        iban="FR1420041010050500013M02606",
        end_to_end_id=f"E2E-{next(_numbers)}",
    )


def invoice(item: PaymentItem) -> Invoice:
    """A self-billed invoice row for the item (its PDF file is never opened by these tests)."""
    number = next(_numbers)
    return Invoice.objects.create(
        number=f"SCOPE-{number}",
        sequence=number,
        type_code="389",
        partner=item.partner,
        item=item,
        issue_date=date.today(),
        period_start=date.today(),
        period_end=date.today(),
        total_excl_vat=Decimal(10),
        vat_rate=Decimal(0),
        vat_amount=Decimal(0),
        total_incl_vat=Decimal(10),
        xml="<invoice/>",
        pdf="invoices/scoping.pdf",
    )


def correction(of: Invoice, *, by: User) -> CorrectionRequest:
    return CorrectionRequest.objects.create(
        invoice=of, amount_excl_vat=Decimal(1), reason="Doublon", requested_by=by
    )


def redemption(partner: Partner) -> Redemption:
    gift = Gift.objects.create(name="Enceinte", value_incl_vat=Decimal(50))
    return Redemption.objects.create(partner=partner, gift=gift, value_incl_vat=Decimal(50))


def lead(partner: Partner) -> Lead:
    """A lead the partner brought, assigned to it when it is a reseller (in its inbox)."""
    submitted = lead_submit(
        data={"last_name": "Prospect", "phone": f"0655{next(_numbers):06d}", "postcode": "69003"},
        channel="portal",
        partner=partner,
    )
    if partner.kind == PartnerKind.RESELLER:
        # Test data: routed by hand, without the router's choice of reseller.
        Lead.objects.filter(pk=submitted.pk).update(
            status=LeadStatus.OPENED, assigned_reseller=partner
        )
    return Lead.objects.get(pk=submitted.pk)


def lead_import(*, by: User) -> LeadImport:
    return LeadImport.objects.create(created_by=by, filename="leads.csv", file="x/leads.csv")


def partner_import(*, by: User) -> PartnerImport:
    return PartnerImport.objects.create(
        created_by=by, filename="partners.csv", file="x/partners.csv"
    )


def declaration(partner: Partner, *, by: User) -> ConflictDeclaration:
    return partner_services.declaration_submit(
        partner=partner, user=by, has_conflict=False, description=""
    )


def audit(partner: Partner, *, by: User) -> ComplianceAudit:
    return partner_services.audit_schedule(
        partner=partner,
        title="Audit annuel",
        due_date=date.today(),
        checks=[],
        recurrence_months=None,
        actor=by,
    )


def dispute(partner: Partner, *, by: User) -> Dispute:
    return partner_services.dispute_open(
        partner=partner,
        subject="Litige",
        parties="Client",
        amount_at_stake=None,
        deadline=None,
        actor=by,
    )


def signature(partner: Partner, *, by: User) -> Signature:
    """The partner's signature of the first document asked of it."""
    template = partner_services.documents_for(partner)[0].template
    return partner_services.signature_sign(
        partner=partner, template=template, user=by, ip=None, user_agent="test"
    )


@dataclass(frozen=True)
class PartnerObjects:
    """A reseller's objects of every kind, as another user would try to reach them."""

    partner: Partner
    user: User
    token: ApiToken
    lead: Lead
    line: CommissionLine
    item: PaymentItem
    invoice: Invoice
    correction: CorrectionRequest
    redemption: Redemption
    declaration: ConflictDeclaration
    audit: ComplianceAudit
    dispute: Dispute
    signature: Signature
    lead_import: LeadImport
    partner_import: PartnerImport
    template: ContractTemplate

    @property
    def run(self) -> PaymentRun:
        return self.item.run

    @property
    def plan(self) -> Plan:
        assert self.line.rule is not None  # commission_line gives every line its rule
        return self.line.rule.plan


def partner_objects(partner: Partner, user: User, *, manager: User) -> PartnerObjects:
    """Every kind of object of ``partner`` (``user`` acts for it; ``manager`` runs the imports,
    audits and payments)."""
    item = payment_item(partner, by=manager)
    bill = invoice(item)
    token, _raw = api_token_create(user=user, name="theirs", scopes=["read"])
    sign = signature(partner, by=user)
    return PartnerObjects(
        partner=partner,
        user=user,
        token=token,
        lead=lead(partner),
        line=commission_line(partner),
        item=item,
        invoice=bill,
        correction=correction(bill, by=manager),
        redemption=redemption(partner),
        declaration=declaration(partner, by=user),
        audit=audit(partner, by=manager),
        dispute=dispute(partner, by=manager),
        signature=sign,
        lead_import=lead_import(by=manager),
        partner_import=partner_import(by=manager),
        template=sign.template,
    )
