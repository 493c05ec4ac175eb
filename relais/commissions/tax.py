"""The French tax pack (read side): what was paid per calendar year, the individual's yearly
statement for form 2042-C-PRO (box 5KU), the "regular activity" warning, the gifts' 73 € VAT
flag, and DAS2. Every threshold is a dated legal parameter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.commissions import benefits
from relais.commissions.choices import RedemptionStatus
from relais.commissions.models import PaymentItem, Redemption
from relais.core.calendar import year_bounds
from relais.core.formatting import format_money
from relais.core.money import cents
from relais.core.params import legal_value
from relais.core.pdf import render_pdf
from relais.partners.models import Partner

ZERO = Decimal(0)


def paid_in_year(partner: Partner, year: int) -> Decimal:
    start, end = year_bounds(year)
    total = PaymentItem.objects.filter(
        partner=partner, paid_at__gte=start, paid_at__lt=end
    ).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def gifts_in_year(partner: Partner, year: int) -> Decimal:
    start, end = year_bounds(year)
    total = Redemption.objects.filter(
        partner=partner,
        status=RedemptionStatus.DELIVERED,
        delivered_at__gte=start,
        delivered_at__lt=end,
    ).aggregate(s=Sum("value_incl_vat"))["s"]
    rewarded = benefits.totals(start, end, [partner.pk]).get(partner.pk, (ZERO, ZERO))[1]
    return (total or ZERO) + rewarded


def gift_vat_flag(partner: Partner, year: int) -> bool:
    """True when the year's gifts to this person pass the cap on recoverable VAT (73 € TTC)."""
    return gifts_in_year(partner, year) > legal_value("gift_vat_cap", date(year, 12, 31))


@dataclass
class YearlyStatement:
    partner: Partner
    year: int
    payments: list[PaymentItem]
    total: Decimal  # box 5KU: the gross amount
    gifts: Decimal
    allowance_rate: Decimal
    allowance_min: Decimal


def yearly_statement(partner: Partner, year: int) -> YearlyStatement:
    start, end = year_bounds(year)
    payments = list(
        PaymentItem.objects.filter(partner=partner, paid_at__gte=start, paid_at__lt=end)
        .select_related("run")
        .order_by("paid_at")
    )
    on = date(year, 12, 31)
    return YearlyStatement(
        partner=partner,
        year=year,
        payments=payments,
        total=sum((p.amount for p in payments), ZERO),
        gifts=gifts_in_year(partner, year),
        allowance_rate=legal_value("bnc_allowance_rate", on),
        allowance_min=legal_value("bnc_allowance_min", on),
    )


def regular_activity_warning(partner: Partner, on: date | None = None) -> str:
    """Not a legal threshold (there is none): a warning from the configurable parameters that the
    activity may be regular and registration may be required. Empty when there is none."""
    on = on or timezone.localdate()
    since = timezone.now() - timedelta(days=365)
    paid = PaymentItem.objects.filter(partner=partner, paid_at__gte=since).aggregate(
        n=Count("pk"), s=Sum("amount")
    )
    count_limit = legal_value("regular_activity_payments", on)
    amount_limit = legal_value("regular_activity_amount", on)
    if paid["n"] > count_limit or (paid["s"] or ZERO) > amount_limit:
        return _(
            "This activity may be regular (%(n)s payments, %(total)s in 12 months): "
            "registration (micro-entreprise) may be required."
        ) % {"n": paid["n"], "total": format_money(paid["s"] or ZERO)}
    return ""


@dataclass
class Das2Row:
    partner: Partner
    commissions: Decimal
    benefits_in_kind: Decimal
    missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.commissions + self.benefits_in_kind


def das2(year: int) -> list[Das2Row]:
    """Beneficiaries paid (cash and gifts, incl. VAT) more than the year's threshold, to the
    cent: SQLite sums decimals as floats (``2400.01000000000``)."""
    start, end = year_bounds(year)
    threshold = legal_value("das2_threshold", date(year, 12, 31))
    cash = {
        pk: cents(total)
        for pk, total in PaymentItem.objects.filter(paid_at__gte=start, paid_at__lt=end)
        .values("partner_id")
        .annotate(s=Sum("amount"))
        .values_list("partner_id", "s")
    }
    kind = {
        pk: cents(total)
        for pk, total in Redemption.objects.filter(
            status=RedemptionStatus.DELIVERED, delivered_at__gte=start, delivered_at__lt=end
        )
        .values("partner_id")
        .annotate(s=Sum("value_incl_vat"))
        .values_list("partner_id", "s")
    }
    # Rewards in kind from other apps (challenges' gifts, vouchers, experiences), incl. VAT.
    for pk, (in_kind, _gifts) in benefits.totals(start, end).items():
        kind[pk] = kind.get(pk, ZERO) + cents(in_kind)
    ids = [
        pk for pk in set(cash) | set(kind) if cash.get(pk, ZERO) + kind.get(pk, ZERO) > threshold
    ]
    partners = Partner.objects.in_bulk(ids)
    rows = [
        Das2Row(partners[pk], cash.get(pk, ZERO), kind.get(pk, ZERO), _missing(partners[pk]))
        for pk in ids
    ]
    return sorted(rows, key=lambda r: (r.partner.display_name.lower(), r.partner.pk))


def _missing(partner: Partner) -> list[str]:
    missing = []
    if not (partner.address_line and partner.postcode and partner.city):
        missing.append(_("address"))
    if partner.is_professional and not partner.siret:
        missing.append(_("SIRET"))
    if not partner.sector:
        missing.append(_("profession"))
    if not partner.company_name and not (partner.first_name and partner.last_name):
        missing.append(_("name"))
    return missing


def yearly_statement_pdf(statement: YearlyStatement) -> bytes:
    context = {"s": statement, "company": settings.RELAIS_COMPANY_NAME}
    return render_pdf("commissions/pdf/yearly.html", context, language=settings.LANGUAGE_CODE)


def regular_activity_partners(on: date | None = None) -> list[dict[str, object]]:
    """Private individuals whose last 12 months of payments pass either warning parameter, in one
    grouped query (the managers' overview)."""
    from relais.partners.choices import LegalForm

    on = on or timezone.localdate()
    since = timezone.now() - timedelta(days=365)
    rows = (
        PaymentItem.objects.filter(paid_at__gte=since, partner__legal_form=LegalForm.INDIVIDUAL)
        .values("partner_id", "partner__first_name", "partner__last_name")
        .annotate(n=Count("pk"), total=Sum("amount"))
    )
    count_limit = legal_value("regular_activity_payments", on)
    amount_limit = legal_value("regular_activity_amount", on)
    return [dict(r) for r in rows if r["n"] > count_limit or (r["total"] or ZERO) > amount_limit]


def gift_totals(year: int) -> list[dict[str, object]]:
    """Each beneficiary's gifts delivered in the year, flagged above the VAT-recovery cap."""
    start, end = year_bounds(year)
    cap = legal_value("gift_vat_cap", date(year, 12, 31))
    rows = (
        Redemption.objects.filter(
            status=RedemptionStatus.DELIVERED, delivered_at__gte=start, delivered_at__lt=end
        )
        .values("partner_id", "partner__first_name", "partner__last_name", "partner__company_name")
        .annotate(total=Sum("value_incl_vat"), n=Count("pk"))
        .order_by("-total")
    )
    totals: dict[int, dict[str, Any]] = {r["partner_id"]: dict(r) for r in rows}
    # Gifts rewarded by challenges count towards the same cap, per beneficiary.
    rewarded = {pk: gifts for pk, (_kind, gifts) in benefits.totals(start, end).items() if gifts}
    names = Partner.objects.filter(pk__in=set(rewarded) - set(totals)).values(
        "pk", "first_name", "last_name", "company_name"
    )
    for p in names:
        totals[p["pk"]] = {
            "partner_id": p["pk"],
            "partner__first_name": p["first_name"],
            "partner__last_name": p["last_name"],
            "partner__company_name": p["company_name"],
            "total": ZERO,
            "n": 0,
        }
    for pk, gifts in rewarded.items():
        totals[pk]["total"] = cents(totals[pk]["total"] + gifts)
    ordered = sorted(totals.values(), key=lambda r: -r["total"])
    return [{**r, "vat_not_recoverable": r["total"] > cap} for r in ordered]
