"""The partner months (``PartnerMonth``): each introducer's leads per month of submission, what
became of them, recomputed from the leads for the (introducer, month) buckets a changed
lead falls in (see ``leads.counters`` for the marks and the refresh). The segments are judged on
these, so judging 50,000 introducers never reads the million leads."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth

from relais.engagement.models import PartnerMonth
from relais.leads.choices import LeadStatus
from relais.leads.counters import analyze, local_zone, within
from relais.leads.models import Lead

CHUNK = 1000


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def count_months(where: Q) -> list[PartnerMonth]:
    """The partner months of the leads matching ``where`` (with a partner), from the source."""
    won = Q(status=LeadStatus.WON)
    rows = (
        Lead.objects.filter(where, partner__isnull=False)
        .annotate(month=TruncMonth("submitted_at", tzinfo=local_zone(), output_field=DateField()))
        .values("partner_id", "month")
        .annotate(
            submitted=Count("pk"),
            qualified=Count("pk", filter=Q(qualified_at__isnull=False)),
            won=Count("pk", filter=won),
            won_amount=Sum("won_amount", filter=won),
        )
        .order_by()
    )
    return [
        PartnerMonth(
            partner_id=r["partner_id"],
            month=r["month"],
            submitted=r["submitted"],
            qualified=r["qualified"],
            won=r["won"],
            won_amount=r["won_amount"] or 0,
        )
        for r in rows
    ]


def _buckets(lead_ids: list[int]) -> dict[date, set[int]]:
    """The months these leads were submitted in, with their introducers."""
    found: dict[date, set[int]] = defaultdict(set)
    for start in range(0, len(lead_ids), CHUNK):
        rows = Lead.objects.filter(
            pk__in=lead_ids[start : start + CHUNK], partner__isnull=False
        ).values_list("partner_id", "submitted_at")
        for partner, at in rows:
            found[month_of(at.astimezone(local_zone()).date())].add(partner)
    return found


def recompute(lead_ids: list[int]) -> None:
    """Recompute every (introducer, month) bucket these leads fall in, whole: recounting, not
    adding a delta, is right whatever changed on the lead. A lead's submission time never
    changes; a lead given to another introducer leaves the first one's month to the next
    rebuild (the mark names only the introducer it has now), as the KPI months do."""
    for month, partners in sorted(_buckets(lead_ids).items()):
        ids = sorted(partners)
        for start in range(0, len(ids), CHUNK):
            some = ids[start : start + CHUNK]
            PartnerMonth.objects.filter(month=month, partner_id__in=some).delete()
            where = Q(partner_id__in=some) & within([month], "submitted_at")
            PartnerMonth.objects.bulk_create(count_months(where), batch_size=CHUNK)


def rebuild() -> None:
    PartnerMonth.objects.all().delete()
    PartnerMonth.objects.bulk_create(count_months(Q()), batch_size=CHUNK)
    analyze(PartnerMonth)
