"""The legal parameters' labels and units as people read them, in their language.

``LegalParameter`` rows are seeded once (``legal_seed``) with a label in one language and a unit
code ("EUR", "months", "flag"); shown as stored, the admin list read English in the French UI.
The label of each key shipped with Relais is translated here when shown; a key an administrator
adds shows the label they typed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relais.core.models import LegalParameter

LABELS = {
    "das2_threshold": _("DAS2: declare beneficiaries paid more than (incl. VAT, calendar year)"),
    "das2_penalty_rate": _("DAS2: penalty on undeclared sums"),
    "bnc_allowance_rate": _("Form 2042-C-PRO box 5KU: flat allowance"),
    "bnc_allowance_min": _("Form 2042-C-PRO box 5KU: minimum allowance"),
    "social_levies_rate": _("Social levies on occasional commissions"),
    "regular_activity_payments": _(
        "Warning: regular activity above this many payments in 12 months"
    ),
    "regular_activity_amount": _("Warning: regular activity above this amount paid in 12 months"),
    "vigilance_contract_threshold": _("URSSAF vigilance certificate required from (excl. VAT)"),
    "vigilance_validity_months": _("URSSAF vigilance certificate: renewed every"),
    "invoice_vat_number_threshold": _("Seller's VAT number optional on invoices up to (excl. VAT)"),
    "late_payment_indemnity": _("Fixed late-payment recovery indemnity"),
    "gift_vat_cap": _("VAT recoverable on gifts up to (incl. VAT, per beneficiary and year)"),
    "smic_monthly": _("Minimum wage (SMIC), monthly (35 h)"),
    "smic_hourly": _("Minimum wage (SMIC), hourly"),
    "pass_yearly": _("Yearly social security ceiling (PASS)"),
    "pmss": _("Monthly social security ceiling (PMSS)"),
    "challenge_exempt_share": _(
        "Challenge rewards: exempt up to (share of the monthly SMIC, per year)"
    ),
    "challenge_flat_share": _(
        "Challenge rewards: 20 % contribution up to (share of the monthly SMIC)"
    ),
    "challenge_flat_rate": _("Challenge rewards: rate of the flat contribution"),
    "voucher_exempt_share": _(
        "Gift vouchers: exempt up to (share of the monthly SMIC, per operation)"
    ),
    "voucher_flat_share": _("Gift vouchers: 20 % contribution up to (share of the monthly SMIC)"),
    "voucher_abuse_operations": _("Gift vouchers: URSSAF presumes abuse from this many operations"),
    "gdpr_retention_years": _("Prospect data kept after collection or the last contact"),
    "gdpr_notice_days": _("Art. 14 notice to a referred prospect at the latest after"),
    "einvoice_receive_all": _("E-invoicing: every company must receive e-invoices"),
    "einvoice_issue_large": _("E-invoicing: large and mid-size companies must issue them"),
    "einvoice_issue_sme": _("E-invoicing: SMEs and micro-companies must issue them"),
    "vat_standard_rate": _("VAT: standard rate (self-billed invoices of VAT-liable partners)"),
}
UNITS = {
    "EUR": "€",
    "%": "%",
    "count": _("number"),
    "days": _("days"),
    "months": _("months"),
    "years": _("years"),
    "flag": _("1 = yes, 0 = no"),
}


def legal_label(parameter: LegalParameter) -> str:
    """The parameter's label in the active language (an added key's as typed)."""
    return str(LABELS.get(parameter.key, parameter.label))


def legal_unit(unit: str) -> str:
    """A unit code as people read it: "€", "months", "1 = yes, 0 = no"."""
    return str(UNITS.get(unit, unit))
