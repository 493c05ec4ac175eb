"""The manager's dashboard: charts read from the counters (``LeadMonth``, the engagement
``PartnerMonth``, the routing ``KpiMonth``), each figure with a link to its rows when the lead
list can show exactly those rows."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.commissions.models import CommissionMonth
from relais.core.formatting import format_money
from relais.core.models import Departement
from relais.engagement.models import PartnerMonth
from relais.leads import counters
from relais.leads.choices import Channel, LeadStatus
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.reporting import counters as lead_counters
from relais.reporting.charts import Chart, Series
from relais.reporting.models import LeadMonth
from relais.reporting.nps_chart import nps_by_month
from relais.routing.choices import AssigneeKind
from relais.routing.models import KpiMonth

# The dashboard's filters the lead list (``leads.forms.LeadFilterForm``) applies under the
# same name: each figure's link carries them, so the list shows exactly the rows counted.
LISTED = ("region", "departement", "partner_kind", "product")


def _shift(month: date, n: int) -> date:
    k = month.year * 12 + month.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def period_months(period: str | None) -> list[date]:
    """The months of the period: a calendar year, or the last 12 months (default)."""
    if period and period.isdigit():
        return [date(int(period), m, 1) for m in range(1, 13)]
    this = timezone.localdate().replace(day=1)
    return [_shift(this, n) for n in range(-11, 1)]


def _month_end(month: date) -> date:
    return _shift(month, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    """The filters as the selectors use them."""

    months: list[date]
    filters: dict[str, str]

    @cached_property
    def places(self) -> list[str] | None:
        """The départements the filters keep, or None for all (read once per view)."""
        if self.filters.get("departement"):
            return [self.filters["departement"]]
        if self.filters.get("region"):
            return list(
                Departement.objects.filter(region=self.filters["region"]).values_list(
                    "code", flat=True
                )
            )
        return None

    @cached_property
    def _lead_list(self) -> str:
        return reverse("leads:list")

    def leads_url(self, first: date, last: date, **params: str) -> str:
        """The lead list showing the rows counted: these dates, ``params`` and the filters."""
        query = {k: self.filters[k] for k in LISTED if self.filters.get(k)}
        query.update(since=first.isoformat(), until=last.isoformat(), **params)
        return f"{self._lead_list}?{urlencode(query)}"

    @cached_property
    def before(self) -> list[date]:
        """The same months a year before (the year-on-year chart)."""
        return [_shift(m, -12) for m in self.months]

    def kept(self, what: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, kept under the lead months' generation (``counters.generation``)
        for these filters and months: the same view again reads no counter row."""
        filters = sorted((k, v) for k, v in self.filters.items() if k != "period")
        key = f"{what}|{self.months[0]}|{len(self.months)}|{filters}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        name = f"reporting:{lead_counters.generation()}:{digest}"
        found = cache.get(name)
        if found is None:
            found = compute()
            cache.set(name, found, lead_counters.GENERATION_SECONDS)
        return found

    @cached_property
    def sums(self) -> dict[tuple[date, str], dict[str, Any]]:
        """The lead months of the period and the year before, summed by (month, channel): one
        query for the four lead charts, each reading its figures from it."""

        def compute() -> dict[tuple[date, str], dict[str, Any]]:
            rows = (
                lead_months(self, self.months + self.before)
                .values("month", "channel")
                .annotate(**{f: Sum(f) for f in (*STEPS, "won_amount")})
                .order_by()
            )
            return {(r["month"], r["channel"]): dict(r) for r in rows}

        return self.kept("sums", compute)

    def total(self, measure: str, month: date | None = None, channel: str | None = None) -> Any:
        """A measure summed over the period's months (or one month), of one channel or all."""
        months = {month} if month is not None else set(self.months)
        return sum(
            (
                r[measure] or 0
                for (m, c), r in self.sums.items()
                if m in months and (channel is None or c == channel)
            ),
            Decimal(0) if measure == "won_amount" else 0,
        )

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last(self) -> date:
        return _month_end(self.months[-1])


def scope_of(filters: dict[str, str]) -> Scope:
    return Scope(period_months(filters.get("period")), filters)


def lead_months(scope: Scope, months: list[date] | None = None) -> QuerySet[LeadMonth]:
    """The lead months of the scope's filters (``charts`` brings the counters up to date)."""
    rows = LeadMonth.objects.filter(month__in=months or scope.months)
    places = scope.places
    if places is not None:
        rows = rows.filter(departement__in=places)
    if scope.filters.get("partner_kind"):
        rows = rows.filter(partner_kind=scope.filters["partner_kind"])
    if scope.filters.get("product"):
        rows = rows.filter(category=int(scope.filters["product"]))
    return rows


def _label(month: date) -> str:
    return date_format(month, "M y")


def leads_by_channel(scope: Scope) -> Chart:
    present = {c for m, c in scope.sums if m in set(scope.months)}
    channels = [c for c in Channel if c in present]
    series = [
        Series(
            str(channel.label),
            [scope.total("submitted", m, channel) for m in scope.months],
            [scope.leads_url(m, _month_end(m), channel=channel) for m in scope.months],
        )
        for channel in channels
    ]
    return Chart(
        "leads-channel",
        _("Leads by month and channel"),
        "bars",
        [_label(m) for m in scope.months],
        series,
    )


def leads_year_on_year(scope: Scope) -> Chart:
    """The period's leads month by month against the same months a year before."""
    series = [
        Series(
            name,
            [scope.total("submitted", m) for m in months],
            [scope.leads_url(m, _month_end(m)) for m in months],
        )
        for name, months in ((_("This period"), scope.months), (_("A year before"), scope.before))
    ]
    return Chart(
        "leads-year",
        _("Leads, this period against a year before"),
        "line",
        [date_format(m, "M") for m in scope.months],
        series,
    )


STEPS = ("submitted", "qualified", "assigned", "opened", "won")


def funnel(scope: Scope) -> Chart:
    labels = {
        "submitted": _("Submitted"),
        "qualified": _("Qualified"),
        "assigned": _("Assigned"),
        "opened": _("Opened"),
        "won": _("Won"),
    }
    # A step reached, whatever the status now: the lead list's "step" filter (leads.selectors).
    links = {
        s: scope.leads_url(scope.first, scope.last, **({"step": s} if s != "submitted" else {}))
        for s in STEPS
    }
    return Chart(
        "funnel",
        _("From submitted to won"),
        "hbars",
        [labels[s] for s in STEPS],
        [Series(_("Leads"), [scope.total(s) for s in STEPS], [links[s] for s in STEPS])],
    )


def _money(value: Any) -> str:
    """Whole euros: a chart's axis and bars need no cents."""
    return format_money(Decimal(value or 0).quantize(Decimal(1)), whole=True)


def revenue_by_month(scope: Scope) -> Chart:
    return Chart(
        "revenue",
        _("Revenue won excl. VAT, by month of the lead"),
        "bars",
        [_label(m) for m in scope.months],
        [
            Series(
                _("Won"),
                [scope.total("won_amount", m) for m in scope.months],
                [scope.leads_url(m, _month_end(m), status=LeadStatus.WON) for m in scope.months],
            )
        ],
        fmt=_money,
    )


def commissions_by_month(scope: Scope) -> Chart:
    """Earned and paid per month, from the commission months (``commissions.counters``): the
    partners filtered by kind and place; the product and the channel do not apply to them."""
    rows = CommissionMonth.objects.filter(month__in=scope.months)
    places = scope.places
    if places is not None:
        rows = rows.filter(departement__in=places)
    if scope.filters.get("partner_kind"):
        rows = rows.filter(partner_kind=scope.filters["partner_kind"])
    sums = rows.values_list("month").annotate(e=Sum("earned"), p=Sum("paid")).order_by()
    found = {month: (earned, paid) for month, earned, paid in sums}
    zero = (Decimal(0), Decimal(0))
    return Chart(
        "commissions",
        _("Commissions earned and paid"),
        "bars",
        [_label(m) for m in scope.months],
        [
            Series(_("Earned"), [found.get(m, zero)[0] for m in scope.months]),
            Series(_("Paid"), [found.get(m, zero)[1] for m in scope.months]),
        ],
        fmt=_money,
    )


def _partners(ids: list[int]) -> dict[int, str]:
    rows = Partner.objects.filter(pk__in=ids).values_list(
        "pk", "company_name", "first_name", "last_name"
    )
    return {pk: company or f"{first} {last}".strip() for pk, company, first, last in rows}


def _partner_filter(scope: Scope, field: str) -> dict[str, Any]:
    places = scope.places
    return {f"{field}__departement_id__in": places} if places is not None else {}


def top_introducers(scope: Scope, n: int = 10) -> Chart:
    """The introducers who brought most leads in the period (their ``PartnerMonth``)."""
    rows = list(
        PartnerMonth.objects.filter(month__in=scope.months, **_partner_filter(scope, "partner"))
        .values("partner_id")
        .annotate(n=Sum("submitted"))
        .order_by("-n", "partner_id")[:n]
    )
    names = _partners([r["partner_id"] for r in rows])
    lead_list = reverse("leads:list")
    period = {"since": scope.first, "until": scope.last}
    links = [f"{lead_list}?{urlencode({'partner': r['partner_id'], **period})}" for r in rows]
    return Chart(
        "top-introducers",
        _("Introducers who brought most leads"),
        "hbars",
        [names.get(r["partner_id"], "") for r in rows],
        [Series(_("Leads"), [r["n"] for r in rows], links)],
    )


def top_resellers(scope: Scope, n: int = 10) -> Chart:
    """The resellers who won most revenue on the leads assigned to them in the period."""
    places = scope.places
    ids: QuerySet[Partner, Any] | None = None
    if places is not None:
        ids = Partner.objects.filter(kind=PartnerKind.RESELLER, departement_id__in=places).values(
            "pk"
        )
    months = KpiMonth.objects.filter(kind=AssigneeKind.RESELLER, month__in=scope.months)
    if ids is not None:
        months = months.filter(assignee_id__in=ids)
    rows = list(
        months.values("assignee_id")
        .annotate(s=Sum("revenue"))
        .filter(s__gt=0)
        .order_by("-s", "assignee_id")[:n]
    )
    names = _partners([r["assignee_id"] for r in rows])
    return Chart(
        "top-resellers",
        _("Resellers who won most"),
        "hbars",
        [names.get(r["assignee_id"], "") for r in rows],
        [
            Series(
                _("Revenue won excl. VAT"),
                [r["s"] for r in rows],
                [reverse("partners:detail", args=[r["assignee_id"]]) for r in rows],
            )
        ],
        fmt=_money,
    )


def charts(filters: dict[str, str]) -> list[Chart]:
    counters.refresh()  # once for every chart: each reads a counter
    scope = scope_of(filters)
    return [
        leads_by_channel(scope),
        leads_year_on_year(scope),
        funnel(scope),
        revenue_by_month(scope),
        commissions_by_month(scope),
        top_introducers(scope),
        top_resellers(scope),
        nps_by_month(scope),  # the customers' NPS (surveys)
    ]
