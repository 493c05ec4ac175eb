"""The lead months (``LeadMonth``), recomputed month by month from the leads for the months a
changed lead was submitted in (see ``leads.counters`` for the marks and the refresh)."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from relais.leads.choices import LeadStatus
from relais.leads.counters import analyze, local_zone, within
from relais.leads.models import Lead
from relais.reporting.models import LeadMonth


def _months(lead_ids: list[int]) -> set[date]:
    months: set[date] = set()
    for start in range(0, len(lead_ids), 1000):
        rows = Lead.objects.filter(pk__in=lead_ids[start : start + 1000]).values_list(
            "submitted_at", flat=True
        )
        months |= {at.astimezone(local_zone()).date().replace(day=1) for at in rows}
    return months


def count_months(months: set[date] | None) -> list[LeadMonth]:
    """The lead months computed from the leads: of these months, or of every month."""
    leads = Lead.objects.all()
    if months is not None:
        leads = leads.filter(within(months, "submitted_at"))
    rows = (
        leads.annotate(
            month=TruncMonth("submitted_at", tzinfo=local_zone(), output_field=DateField())
        )
        .values("month", "channel", "departement_id", "category_id", "partner__kind")
        .annotate(
            submitted=Count("pk"),
            qualified=Count("pk", filter=Q(qualified_at__isnull=False)),
            assigned=Count("pk", filter=Q(assigned_at__isnull=False)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            won=Count("pk", filter=Q(status=LeadStatus.WON)),
            won_amount=Coalesce(
                Sum("won_amount", filter=Q(status=LeadStatus.WON)),
                0,
                output_field=LeadMonth._meta.get_field("won_amount"),
            ),
        )
        .order_by()
    )
    return [
        LeadMonth(
            month=r["month"],
            channel=r["channel"],
            departement=r["departement_id"] or "",
            category=r["category_id"] or 0,
            partner_kind=r["partner__kind"] or "",
            submitted=r["submitted"],
            qualified=r["qualified"],
            assigned=r["assigned"],
            opened=r["opened"],
            won=r["won"],
            won_amount=r["won_amount"],
        )
        for r in rows
        if months is None or r["month"] in months
    ]


def recompute(lead_ids: list[int]) -> None:
    months = _months(lead_ids)
    if months:
        LeadMonth.objects.filter(month__in=months).delete()
        LeadMonth.objects.bulk_create(count_months(months), batch_size=1000)
        transaction.on_commit(bump)


def rebuild() -> None:
    LeadMonth.objects.all().delete()
    LeadMonth.objects.bulk_create(count_months(None), batch_size=1000)
    analyze(LeadMonth)
    transaction.on_commit(bump)


# The dashboard keeps what it summed from the lead months under their generation, a token
# changed whenever they are recomputed: at a million leads the lead months are ~125,000 rows,
# and summing them on every view of the same filters cost more than the page's budget. In a
# shared cache (Redis) a recompute anywhere is seen at once; with a cache per process (locmem,
# development) a recompute by the task worker is seen within ``GENERATION_SECONDS``.
GENERATION_KEY = "reporting:lead-months:generation"
GENERATION_SECONDS = 60


def bump() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, GENERATION_SECONDS)


def generation() -> str:
    found = cache.get(GENERATION_KEY)
    if found is None:
        found = uuid.uuid4().hex
        cache.add(GENERATION_KEY, found, GENERATION_SECONDS)
        found = cache.get(GENERATION_KEY) or found
    return str(found)
