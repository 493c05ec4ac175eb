"""Reading results: NPS from the counters (never recomputed from the answers), the comments,
the testimonials, the funnel of promoters becoming introducers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from relais.accounts.models import User
from relais.core.models import Departement
from relais.leads.models import Lead, ProductCategory
from relais.partners.models import Partner
from relais.surveys.choices import Dimension
from relais.surveys.models import ALL_TIME, Answer, Customer, Invitation, NpsCounter


@dataclass(frozen=True)
class Nps:
    """The three groups of a set of answers and its NPS: None (shown "—") with no answer."""

    promoters: int
    passives: int
    detractors: int
    label: str = ""
    key: str = ""

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> int | None:
        if not self.answers:
            return None
        value = Decimal(100 * (self.promoters - self.detractors)) / self.answers
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def share(self, count: int) -> int:
        return round(100 * count / self.answers) if self.answers else 0


def nps_of(scores: list[int]) -> Nps:
    """NPS of raw scores (the tests' reference, and the demo's)."""
    return Nps(
        promoters=sum(s >= 9 for s in scores),
        passives=sum(7 <= s <= 8 for s in scores),
        detractors=sum(s <= 6 for s in scores),
    )


def _counters(dimension: str, since: date | None, until: date | None) -> QuerySet[NpsCounter]:
    """The counter rows of a dimension: with no period, each group's all-time row; else its
    rows of the months in the period."""
    rows = NpsCounter.objects.filter(dimension=dimension)
    if since is None and until is None:
        return rows.filter(month=ALL_TIME)
    rows = rows.filter(month__gt=ALL_TIME)
    if since:
        rows = rows.filter(month__gte=since.replace(day=1))
    if until:
        rows = rows.filter(month__lte=until)
    return rows


_SUMS = {"p": Sum("promoters"), "a": Sum("passives"), "d": Sum("detractors")}


def nps_total(since: date | None = None, until: date | None = None) -> Nps:
    sums = _counters(Dimension.ALL, since, until).aggregate(**_SUMS)
    return Nps(sums["p"] or 0, sums["a"] or 0, sums["d"] or 0)


def nps_by_month(since: date | None = None, until: date | None = None) -> list[Nps]:
    rows = _counters(Dimension.ALL, since or ALL_TIME + timedelta(days=1), until).order_by("month")
    return [
        Nps(
            r.promoters, r.passives, r.detractors, label=r.month.strftime("%m/%Y"), key=str(r.month)
        )
        for r in rows
    ]


def nps_months(
    *, months: list[date], dimension: str = Dimension.ALL, keys: list[str] | None = None
) -> dict[date, Nps]:
    """Each of these months' NPS, summed over the groups ``keys`` of a dimension (the
    départements of a region, one product) or the whole network; a month without answers is
    left out. One query over the counters."""
    rows: Any = NpsCounter.objects.filter(dimension=dimension, month__in=months)
    if keys is not None:
        rows = rows.filter(key__in=keys)
    sums = rows.values("month").annotate(**_SUMS).order_by()
    return {r["month"]: Nps(r["p"], r["a"], r["d"]) for r in sums if r["p"] + r["a"] + r["d"]}


def _labels(dimension: str, keys: list[str]) -> dict[str, str]:
    if dimension == Dimension.PRODUCT:
        return {str(p.pk): p.name for p in ProductCategory.objects.filter(pk__in=keys)}
    if dimension == Dimension.DEPARTEMENT:
        return {d.code: f"{d.code} {d.name}" for d in Departement.objects.filter(code__in=keys)}
    if dimension == Dimension.RESELLER:
        named = Partner.objects.filter(pk__in=keys).values_list(
            "pk", "company_name", "first_name", "last_name"
        )
        return {str(pk): company or f"{first} {last}".strip() for pk, company, first, last in named}
    users = User.objects.filter(pk__in=keys)
    return {str(u.pk): (f"{u.first_name} {u.last_name}".strip() or u.email) for u in users}


def nps_by(dimension: str, since: date | None = None, until: date | None = None) -> list[Nps]:
    """NPS per product, département, reseller or salesperson, the most answers first."""
    grouped: Any = _counters(dimension, since, until).values("key").annotate(**_SUMS)
    rows: list[dict[str, Any]] = list(grouped.order_by("key"))
    labels = _labels(dimension, [r["key"] for r in rows])
    figures = [
        Nps(r["p"], r["a"], r["d"], label=labels.get(r["key"], r["key"]), key=r["key"])
        for r in rows
    ]
    return sorted(figures, key=lambda n: (-n.answers, n.label))


def nps_of_resellers(ids: list[int], since: date, until: date) -> dict[int, Nps]:
    """The NPS of each of these resellers' customers over the months of a period (one query
    over the counters); a reseller without answers is left out."""
    rows: Any = (
        _counters(Dimension.RESELLER, since, until)
        .filter(key__in=[str(pk) for pk in ids])
        .values("key")
        .annotate(**_SUMS)
    )
    return {int(r["key"]): Nps(r["p"], r["a"], r["d"]) for r in rows}


def nps_of_reseller(partner_id: int) -> Nps:
    sums = _counters(Dimension.RESELLER, None, None).filter(key=str(partner_id)).aggregate(**_SUMS)
    return Nps(sums["p"] or 0, sums["a"] or 0, sums["d"] or 0)


def comments(
    *, category: str = "", product: str = "", reseller: str = "", consent: bool = False
) -> QuerySet[Answer]:
    rows = Answer.objects.exclude(comment="").select_related(
        "customer", "customer__product", "customer__reseller", "follow_up"
    )
    if category == "promoter":
        rows = rows.filter(score__gte=9)
    elif category == "passive":
        rows = rows.filter(score__in=(7, 8))
    elif category == "detractor":
        rows = rows.filter(score__lte=6)
    if product.isdigit():
        rows = rows.filter(product_id_copy=int(product))
    if reseller.isdigit():
        rows = rows.filter(reseller_id_copy=int(reseller))
    if consent:
        rows = rows.filter(publish_consent=True)
    return rows.order_by("-commented_at", "-pk")


def testimonials() -> QuerySet[Answer]:
    """Promoters' comments they agreed to have published (a later lower score withdraws it)."""
    return (
        Answer.objects.filter(publish_consent=True, score__gte=9)
        .exclude(comment="")
        .select_related("customer", "customer__product")
        .order_by("-consent_at")
    )


@dataclass(frozen=True)
class Funnel:
    promoters: int
    invited: int
    accepted: int
    first_lead: int
    first_won: int


def funnel() -> Funnel:
    """Promoters (customers) → invited → accepted (a candidate) → with a lead → with a won one."""
    accepted = Invitation.objects.filter(partner__isnull=False)
    leads = Lead.objects.filter(partner_id=OuterRef("partner_id"))
    counted = accepted.aggregate(
        accepted=Count("pk"),
        lead=Count("pk", filter=Q(Exists(leads))),
        won=Count("pk", filter=Q(Exists(leads.filter(won_at__isnull=False)))),
    )
    return Funnel(
        promoters=Customer.objects.filter(answers__score__gte=9).distinct().count(),
        invited=Invitation.objects.exclude(state="skipped").count(),
        accepted=counted["accepted"],
        first_lead=counted["lead"],
        first_won=counted["won"],
    )
