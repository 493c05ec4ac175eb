"""Commissions: plans of versioned rules, the lines they produce, payment runs, self-billed
invoices, and the documents payment depends on (URSSAF vigilance, the partner's own invoice)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.commissions.choices import (
    Beneficiary,
    CorrectionStatus,
    EmployeeBonusStatus,
    Formula,
    InvoiceType,
    LineKind,
    LineStatus,
    Period,
    PlanStatus,
    RedemptionStatus,
    RunStatus,
    TierBasis,
    Trigger,
)
from relais.core.models import TimeStampedModel
from relais.leads.models import Lead, ProductCategory
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner


class Plan(TimeStampedModel):
    """A set of rules activated together; a draft plan can be simulated on a past period."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # A draft may be the next version of an active plan from a date: activating it makes each
    # changed rule a new version of that plan's rule (same plan and code: its caps and tiers
    # go on counting), then the draft, merged, is gone.
    replaces = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("new version of"),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """One version of a rule. An active rule is never edited: a change is a new version, and each
    line keeps the version it was computed with."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=40, help_text=_("The same across versions."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=120)
    # Scope: empty means any.
    partner_kind = models.CharField(
        _("partner kind"), max_length=16, choices=PartnerKind.choices, blank=True
    )
    group = models.CharField(_("tier or group"), max_length=40, blank=True)
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_rules",
        verbose_name=_("one partner"),
    )
    beneficiary = models.CharField(
        _("paid to"), max_length=12, choices=Beneficiary.choices, default=Beneficiary.INTRODUCER
    )
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    formula = models.CharField(_("formula"), max_length=12, choices=Formula.choices)
    amount = models.DecimalField(
        _("amount"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    tier_basis = models.CharField(
        _("tiers by"), max_length=8, choices=TierBasis.choices, default=TierBasis.AMOUNT
    )
    period = models.CharField(
        _("period"), max_length=8, choices=Period.choices, default=Period.YEAR
    )
    # [[from, rate %], ...] ascending, the first from 0: e.g. [[0, 5], [10000, 7], [50000, 10]].
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    target = models.DecimalField(
        _("bonus target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cap_per_deal = models.DecimalField(
        _("cap per deal"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    cap_per_year = models.DecimalField(
        _("cap per partner and year"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "code", "-version"]
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code", "version"], name="rule_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class CommissionLine(models.Model):
    """What a partner earned (or gives back) for one event. Never edited once issued: a refund
    or a cancellation is a new, negative line pointing at the one it reverses."""

    # No index of their own: (partner, status) and (rule, partner, earned_on) lead with them, and
    # each index more is written again for every line a payment run takes (100,000 at a time).
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="commission_lines", db_index=False
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="commission_lines"
    )
    rule = models.ForeignKey(
        Rule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        db_index=False,
    )  # None only for a gift taken instead of cash; fmt: skip
    event_key = models.CharField(max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    base = models.DecimalField(
        _("base excl. VAT"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    detail = models.JSONField(default=dict, blank=True)
    earned_on = models.DateField(_("earned on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    hold_reason = models.CharField(_("on hold"), max_length=200, blank=True)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_run = models.ForeignKey(
        "PaymentRun", on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-earned_on", "-pk"]
        verbose_name = _("commission line")
        verbose_name_plural = _("commission lines")
        constraints = [
            # Idempotent accrual: one line per event, partner and rule, however often it is sent.
            models.UniqueConstraint(
                fields=["event_key", "partner", "rule"], name="line_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["status", "earned_on"]),
            models.Index(fields=["rule", "partner", "earned_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.amount} · {self.status}"


class PaymentRun(models.Model):
    """Payable lines up to a date, grouped per partner, with the SEPA file sent to the bank."""

    cutoff = models.DateField(_("lines earned up to"))
    execution_date = models.DateField(_("payment date"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    schema = models.CharField(_("SEPA format"), max_length=16, default="pain.001.001.09")
    total = models.DecimalField(_("total"), default=0, max_digits=12, decimal_places=2)
    blocked = models.JSONField(_("blocked partners"), default=list, blank=True)
    sepa_xml = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")

    def __str__(self) -> str:
        return f"{_('Payment run')} {self.pk} ({self.cutoff:%d/%m/%Y})"


class PaymentItem(models.Model):
    """One partner's payment in a run: its lines' total, its statement, its invoice if any."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="items")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payments")
    amount_excl_vat = models.DecimalField(
        _("commissions excl. VAT"), max_digits=12, decimal_places=2
    )
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=0)
    amount = models.DecimalField(_("amount transferred"), max_digits=12, decimal_places=2)
    iban = models.CharField(max_length=34)
    bic = models.CharField(max_length=11, blank=True)
    end_to_end_id = models.CharField(max_length=35)
    statement = models.FileField(upload_to="statements/%Y/", blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["run", "partner"], name="one_item_per_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.amount}"


class NumberSeries(models.Model):
    """A gap-free number series: the row is locked and incremented in the transaction that
    issues the document, so a rolled-back invoice never burns a number."""

    name = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"


class Invoice(models.Model):
    """A self-billed invoice (type 389) or credit note (261), Factur-X EN 16931 in PDF/A-3.
    Issued, it is never edited: a correction is a credit note the partner accepted."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    sequence = models.PositiveIntegerField()
    type_code = models.CharField(_("type"), max_length=3, choices=InvoiceType.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="invoices")
    item = models.OneToOneField(
        PaymentItem, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice"
    )
    credit_for = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    issue_date = models.DateField(_("issued"))
    period_start = models.DateField(_("service from"))
    period_end = models.DateField(_("service to"))
    total_excl_vat = models.DecimalField(_("total excl. VAT"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), max_digits=12, decimal_places=2)
    vat_mention = models.CharField(max_length=200, blank=True)
    xml = models.TextField()
    pdf = models.FileField(upload_to="invoices/%Y/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("self-billed invoice")
        verbose_name_plural = _("self-billed invoices")

    def __str__(self) -> str:
        return self.number


class CorrectionRequest(models.Model):
    """A correction of an issued invoice: only the supplier (the partner) may accept it, and then
    a credit note is issued."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="corrections")
    amount_excl_vat = models.DecimalField(
        _("amount to credit excl. VAT"), max_digits=12, decimal_places=2
    )
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    credit_note = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )

    def __str__(self) -> str:
        return f"{self.invoice} · {self.amount_excl_vat}"


class VigilanceCertificate(models.Model):
    """URSSAF attestation de vigilance: required, and renewed every 6 months, once a
    professional's contracts reach the threshold (5,000 € excl. VAT)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="vigilance")
    issued_on = models.DateField(_("issued on"))
    file = models.FileField(upload_to="vigilance/%Y/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on"]
        constraints = [
            # One certificate per issue date: the same one sent twice (a double click) is one.
            models.UniqueConstraint(fields=["partner", "issued_on"], name="vigilance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.issued_on}"

    @property
    def valid_until(self) -> date:
        from relais.core.params import legal_value

        months = int(legal_value("vigilance_validity_months", self.issued_on))
        return self.issued_on + relativedelta(months=months)


class OwnInvoice(models.Model):
    """An invoice a professional without a self-billing mandate sent us for its commissions."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="own_invoices")
    number = models.CharField(_("invoice number"), max_length=40)
    amount_incl_vat = models.DecimalField(_("amount incl. VAT"), max_digits=12, decimal_places=2)
    file = models.FileField(upload_to="own-invoices/%Y/")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    item = models.OneToOneField(
        PaymentItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="own_invoice"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "number"], name="own_invoice_once"),
        ]
        indexes = [
            models.Index(fields=["partner"], condition=Q(item__isnull=True), name="own_inv_unused")
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.number}"


class Gift(models.Model):
    """A reward of the catalogue a partner may take instead of cash."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    value_incl_vat = models.DecimalField(_("value incl. VAT"), max_digits=12, decimal_places=2)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["value_incl_vat", "name"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """A gift taken instead of cash: requested → approved (its value leaves the partner's
    balance as a negative line) → delivered. Counted in DAS2 as a benefit in kind."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="redemptions")
    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="redemptions")
    value_incl_vat = models.DecimalField(_("value incl. VAT"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.REQUESTED,
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    line = models.OneToOneField(
        CommissionLine, on_delete=models.PROTECT, null=True, blank=True, related_name="redemption"
    )

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.partner} · {self.gift}"


class PayrollExport(models.Model):
    """The approved internal bonuses handed to payroll at once: the file can be downloaded
    again, and a bonus belongs to one export only."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    total = models.DecimalField(_("total"), default=0, max_digits=12, decimal_places=2)
    count = models.PositiveIntegerField(_("bonuses"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payroll export")
        verbose_name_plural = _("payroll exports")

    def __str__(self) -> str:
        return f"{_('Payroll export')} {self.pk}"


class EmployeeBonus(models.Model):
    """An internal referral bonus an employee earned by a rule whose payee is an employee (a
    colleague's introduction brought the won deal). Kept apart from partners' commission lines:
    never in a payment run, a SEPA file, a statement, a self-billed invoice or DAS2; it goes to
    payroll through an export."""

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referral_bonuses",
        verbose_name=_("employee"),
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.PROTECT, null=True, blank=True, related_name="employee_bonuses"
    )
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="employee_bonuses")
    event_key = models.CharField(max_length=80)
    source = models.CharField(_("brought by"), max_length=200, blank=True)
    base = models.DecimalField(
        _("base excl. VAT"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    detail = models.JSONField(default=dict, blank=True)
    earned_on = models.DateField(_("earned on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EmployeeBonusStatus.choices,
        default=EmployeeBonusStatus.PENDING,
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    export = models.ForeignKey(
        PayrollExport, on_delete=models.PROTECT, null=True, blank=True, related_name="bonuses"
    )
    # A negative correction row: part or all of this bonus taken back after a refund.
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-earned_on", "-pk"]
        verbose_name = _("internal bonus")
        verbose_name_plural = _("internal bonuses")
        constraints = [
            # Idempotent: one bonus per event, employee and rule, however often it is sent.
            models.UniqueConstraint(
                fields=["event_key", "employee", "rule"], name="employee_bonus_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "earned_on"])]

    def __str__(self) -> str:
        return f"{self.employee} · {self.amount} · {self.status}"


class CommissionMonth(models.Model):
    """Commissions earned and paid in one month (Paris time) by the partners of one kind and
    département: what the dashboard's chart reads instead of summing every line. A read model,
    recomputed month by month from the lines (``counters``) when lines are written or paid."""

    month = models.DateField()
    partner_kind = models.CharField(max_length=16)
    departement = models.CharField(max_length=3, blank=True)  # "" for a partner with none
    earned = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "partner_kind", "departement"], name="commission_month_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.partner_kind} {self.departement}: {self.earned}"
