"""Demo commissions: an active plan (5 % of won deals for introducers, 3 % of heat-pump deals for
resellers), a line per won deal and payee, and two past payment runs that paid the older lines.
Written in batches with ``relais.bulk.fastinsert`` (the large network: about 356,000 lines)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from relais.bulk import fastinsert
from relais.commissions.choices import Beneficiary, LineKind, LineStatus, PlanStatus, RunStatus
from relais.commissions.models import CommissionLine, PaymentItem, PaymentRun, Plan, Rule
from relais.commissions.tasks import run_documents
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead, ProductCategory
from relais.partners.models import Partner

BATCH = 5000
RATES = {Beneficiary.INTRODUCER: Decimal(5), Beneficiary.RESELLER: Decimal(3)}
CENT = Decimal("0.01")


def _rules() -> dict[str, Rule]:
    heat_pumps = ProductCategory.objects.filter(code="pompe-a-chaleur").first()
    plan = Plan.objects.create(
        name="Programme apporteurs 2025-2026",
        status=PlanStatus.ACTIVE,
        description="5 % du HT des affaires gagnées pour l'apporteur, 3 % des pompes à chaleur "
        "pour le revendeur.",
    )
    start = timezone.localdate() - timedelta(days=800)
    return {
        who: Rule.objects.create(
            plan=plan,
            code=f"gagne-{who}",
            name=f"{rate} % des affaires gagnées",
            trigger="won",
            formula="percent",
            rate=rate,
            beneficiary=who,
            valid_from=start,
            # Resellers earn on heat pumps only: a scoped rule, as real plans have.
            category=heat_pumps if who == Beneficiary.RESELLER else None,
        )
        for who, rate in RATES.items()
    }


def build_commissions(progress: Callable[[str, int], Any]) -> int:
    rules = _rules()
    today = timezone.localdate()
    won = Lead.objects.filter(status=LeadStatus.WON, won_amount__isnull=False).order_by("pk")
    bar = progress("commission lines (won deals)", won.count())  # counts the deals, not lines
    made, batch, done = 0, [], 0
    fields = ("pk", "partner_id", "assigned_reseller_id", "won_amount", "won_date", "category_id")
    rows = won.values_list(*fields).iterator(chunk_size=BATCH)
    for done, (pk, introducer, assigned, amount, won_on, category) in enumerate(rows, 1):
        reseller = assigned if category == rules[Beneficiary.RESELLER].category_id else None
        day = won_on or today
        status = LineStatus.PAYABLE if (today - day).days > 20 else LineStatus.PENDING
        for who, partner_id in (
            (Beneficiary.INTRODUCER, introducer),
            (Beneficiary.RESELLER, reseller),
        ):
            if partner_id is None:
                continue
            rule = rules[who]
            batch.append(
                fastinsert.new(
                    CommissionLine,
                    partner_id=partner_id,
                    lead_id=pk,
                    rule=rule,
                    event_key=f"won:{pk}",
                    kind=LineKind.COMMISSION,
                    base=amount,
                    earned_on=day,
                    status=status,
                    amount=(amount * RATES[who] / 100).quantize(CENT, ROUND_HALF_UP),
                    detail={"formula": "percent", "rule": rule.pk, "version": 1, "demo": True},
                )
            )
        if len(batch) >= BATCH:
            made += _flush(batch)
            bar.update(done - bar.n)
    made += _flush(batch)
    bar.update(done - bar.n)
    bar.close()
    for days in (150, 60):  # two past runs, paid
        _paid_run(today - timedelta(days=days))
    return made


def _flush(batch: list[CommissionLine]) -> int:
    with transaction.atomic():
        fastinsert.insert(batch)
    count = len(batch)
    batch.clear()
    return count


def _paid_run(cutoff: date) -> None:
    """A run that paid every payable line earned up to ``cutoff`` (as if sent and confirmed)."""
    paid_at = timezone.make_aware(datetime.combine(cutoff + timedelta(days=5), time(9)))
    lines = CommissionLine.objects.filter(
        status=LineStatus.PAYABLE, payment_run__isnull=True, earned_on__lte=cutoff
    )
    totals = list(lines.values("partner_id").annotate(s=Sum("amount"), n=Count("pk")))
    run = PaymentRun.objects.create(
        cutoff=cutoff,
        execution_date=cutoff + timedelta(days=5),
        status=RunStatus.PAID,
        total=sum((t["s"] for t in totals), Decimal(0)),
        closed_at=paid_at,
        sepa_xml="<!-- demo run: no file -->",
    )
    ibans = dict(
        Partner.objects.filter(pk__in=[t["partner_id"] for t in totals]).values_list("pk", "iban")
    )
    PaymentItem.objects.bulk_create(
        [
            PaymentItem(
                run=run,
                partner_id=t["partner_id"],
                amount_excl_vat=t["s"],
                amount=t["s"],
                iban=ibans.get(t["partner_id"]) or "",
                paid_at=paid_at,
                end_to_end_id=f"RLS{run.pk}P{t['partner_id']}",
            )
            for t in totals
        ],
        batch_size=BATCH,
    )
    lines.update(payment_run=run, status=LineStatus.PAID, paid_at=paid_at)
    # Its statements, as for any run: the task worker makes them once the network is built.
    transaction.on_commit(lambda: run_documents.enqueue(run.pk))
