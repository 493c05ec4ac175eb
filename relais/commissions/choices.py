from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Trigger(models.TextChoices):
    QUALIFIED = "qualified", _("Lead qualified")
    WON = "won", _("Deal won")
    COLLECTED = "collected", _("Deal amount collected")


class Beneficiary(models.TextChoices):
    """Who a rule pays: the direct introducer of the deal, its reseller, or the employee whose
    introduction brought it (an internal referral bonus, paid through payroll, never by SEPA).
    There is no other choice: a reward on another partner's referrals cannot be expressed
    (single level)."""

    INTRODUCER = "introducer", _("The deal's introducer")
    RESELLER = "reseller", _("The deal's reseller")
    EMPLOYEE = "employee", _("The employee who brought it (internal bonus)")


class Formula(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    PERCENT = "percent", _("Percentage of the amount excl. VAT")
    PROGRESSIVE = "progressive", _("Tiers, each slice at its own rate")
    WHOLE_TIER = "whole_tier", _("Tiers, the whole amount at the tier reached")
    BONUS = "bonus", _("Bonus when a target is reached")


class TierBasis(models.TextChoices):
    AMOUNT = "amount", _("Cumulated amount")
    COUNT = "count", _("Number of deals")


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Calendar year")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    PAYABLE = "payable", _("Payable")
    PAID = "paid", _("Paid")


class LineKind(models.TextChoices):
    COMMISSION = "commission", _("Commission")
    BONUS = "bonus", _("Bonus")
    CLAWBACK = "clawback", _("Clawback")
    GIFT = "gift", _("Gift instead of cash")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Prepared")
    SENT = "sent", _("Sent to the bank")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class InvoiceType(models.TextChoices):
    SELF_BILLED = "389", _("Self-billed invoice")
    SELF_BILLED_CREDIT = "261", _("Self-billed credit note")


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DELIVERED = "delivered", _("Delivered")
    REFUSED = "refused", _("Refused")


class CorrectionStatus(models.TextChoices):
    """Where a requested invoice correction stands: only the partner (the supplier) decides."""

    PENDING = "pending", _("Waiting for the partner")
    ACCEPTED = "accepted", _("Accepted: credit note issued")
    REFUSED = "refused", _("Refused by the partner")


class EmployeeBonusStatus(models.TextChoices):
    """An internal bonus: earned → approved by a manager → handed to payroll (an export); or
    cancelled when its deal is refunded in full before it reached payroll (never exported)."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    EXPORTED = "exported", _("Sent to payroll")
    CANCELLED = "cancelled", _("Cancelled (deal refunded)")
