"""Payment runs: reserve the payable lines up to a date, group them per partner, check what
blocks each partner, write the SEPA file; then sent, paid (by hand or from the bank's CSV), or
cancelled — a cancelled run leaves nothing paid and gives its lines back.

A line can never be in two runs: a run locks the lines it takes (``select_for_update``) and takes
only those without a run, so a second run started at the same moment waits, then finds them taken.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from relais.accounts.models import User
from relais.commissions.checks import (
    Block,
    blocks_many,
    mandated_partners,
    oldest_unused_own_invoices,
)
from relais.commissions.choices import LineStatus, RunStatus
from relais.commissions.events import CommissionLinesMoved, PaymentRunBuilt, PaymentRunPaid
from relais.commissions.invoices import vat_for
from relais.commissions.models import (
    CommissionLine,
    Invoice,
    OwnInvoice,
    PaymentItem,
    PaymentRun,
)
from relais.commissions.sepa import SCHEMAS, sepa_xml
from relais.core import events
from relais.core.audit import audit_record
from relais.core.deferred import Deferred, later, say
from relais.core.errors import DomainError, TransitionError
from relais.core.jobs import job_start
from relais.core.models import BackgroundJob
from relais.core.params import legal_value
from relais.partners.models import Partner

ZERO = Decimal(0)


def run_create(
    *, cutoff: date, execution_date: date, actor: User | None, schema: str = SCHEMAS[0]
) -> PaymentRun:
    """Take the payable lines earned up to ``cutoff``; blocked partners' lines stay payable for a
    later run, and the run lists them with the reasons. Nothing is written if no one can be paid."""
    if schema not in SCHEMAS:
        raise DomainError(_("Unknown SEPA format."), code="bad_schema")
    if execution_date < timezone.localdate():
        raise DomainError(
            _("The payment date is in the past."),
            code="past_date",
            fields={"execution_date": _("Today or later.")},
        )
    with transaction.atomic():
        rows = list(
            CommissionLine.objects.select_for_update()
            .filter(
                status=LineStatus.PAYABLE,
                payment_run__isnull=True,
                hold_reason="",
                earned_on__lte=cutoff,
            )
            .order_by("pk")
            .values_list("pk", "partner_id", "amount")
        )
        by_partner: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
        for pk, partner_id, amount in rows:
            by_partner[partner_id].append((pk, amount))
        partners = Partner.objects.in_bulk(list(by_partner))
        run = PaymentRun.objects.create(
            cutoff=cutoff, execution_date=execution_date, schema=schema, created_by=actor
        )
        items, taken, blocked = [], [], []
        totals = {pk: sum((a for _pk, a in lines), ZERO) for pk, lines in by_partner.items()}
        rate = legal_value("vat_standard_rate", execution_date)  # read once for the run
        vats = {
            pk: vat_for(partners[pk], totals[pk], execution_date, rate=rate).amount for pk in totals
        }
        found = blocks_many(
            [partners[pk] for pk in sorted(totals)],
            {pk: totals[pk] + vats[pk] for pk in totals},
            execution_date,
        )
        for partner_id in sorted(by_partner):
            partner, total = partners[partner_id], totals[partner_id]
            reasons = _reasons(total, found[partner_id])
            if reasons:
                blocked.append(
                    {
                        "partner": partner_id,
                        "name": partner.display_name,
                        "amount": str(total),
                        "reasons": reasons,
                    }
                )
                continue
            items.append(
                PaymentItem(
                    run=run,
                    partner=partner,
                    amount_excl_vat=total,
                    vat=vats[partner_id],
                    amount=total + vats[partner_id],
                    iban=partner.iban,
                    bic=partner.bic,
                    end_to_end_id=f"RLS{run.pk}P{partner_id}",
                )
            )
            taken += [pk for pk, _amount in by_partner[partner_id]]
        if not items:
            raise DomainError(_nothing_message(blocked), code="nothing_to_pay")
        PaymentItem.objects.bulk_create(items, batch_size=1000)
        taken.sort()  # in table order: each UPDATE below touches neighbouring pages
        for start in range(0, len(taken), 5000):
            CommissionLine.objects.filter(pk__in=taken[start : start + 5000]).update(
                payment_run=run
            )
        _claim_own_invoices(items, mandated_partners([i.partner_id for i in items]))
        run.total = sum((i.amount for i in items), ZERO)
        run.blocked = blocked
        run.sepa_xml = sepa_xml(run, items)
        run.save(update_fields=["total", "blocked", "sepa_xml"])
        events.publish(PaymentRunBuilt(run_id=run.pk))
        audit_record(subject=run, action="created", actor=actor, target=f"{len(items)} partners")
        transaction.on_commit(lambda: _documents_later(run.pk))
    return run


def _reasons(total: Decimal, found: list[Block]) -> list[Deferred]:
    """Why the partner is not paid, as messages: the run keeps them and each reader sees them
    in their own language (``core.deferred``)."""
    if total <= 0:
        return [
            later(gettext_noop("Nothing to pay: refunds exceed what was earned; carried forward."))
        ]
    return [b.says for b in found]


def _nothing_message(blocked: list[dict[str, Any]]) -> str:
    if not blocked:
        return _("No payable line up to this date.")
    names = "; ".join(f"{b['name']} ({', '.join(map(say, b['reasons']))})" for b in blocked[:5])
    return _("No partner can be paid: %(names)s") % {"names": names}


def _claim_own_invoices(items: list[PaymentItem], mandated: set[int]) -> None:
    """A professional paid on its own invoice (no mandate): that invoice is used by this
    payment — the oldest unused one, as the blocking check counted on."""
    paid = {
        i.partner_id: i for i in items if i.partner.is_professional and i.partner_id not in mandated
    }
    claimed = []
    for partner_id, own in oldest_unused_own_invoices(list(paid)).items():
        own.item = paid[partner_id]
        claimed.append(own)
    OwnInvoice.objects.bulk_update(claimed, ["item"], batch_size=1000)


def _documents_later(run_id: int) -> None:
    from relais.commissions.tasks import run_documents

    run_documents.enqueue(run_id)


def _lock(run: PaymentRun, *allowed: str) -> PaymentRun:
    locked = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if locked.status not in allowed:
        raise TransitionError(
            _("This run is %(status)s: that is no longer possible.")
            % {"status": RunStatus(locked.status).label},
            code="illegal_transition",
        )
    return locked


def run_send(*, run: PaymentRun, actor: User | None) -> PaymentRun:
    """The manager sent the file to the bank: the self-billed invoices are issued now."""
    from relais.commissions.invoices import issue_for_run

    with transaction.atomic():
        locked = _lock(run, RunStatus.DRAFT)
        locked.status = RunStatus.SENT
        locked.save(update_fields=["status"])
        issue_for_run(locked)
        audit_record(subject=locked, action="sent", actor=actor)
    return locked


def run_cancel(*, run: PaymentRun, actor: User | None, reason: str) -> PaymentRun:
    """Give the lines back (payable again, in no run); nothing is paid. Once invoices are issued,
    the run can only be paid: an issued invoice is corrected by a credit note, not erased."""
    if not reason.strip():
        raise DomainError(_("Say why the run is cancelled."), code="reason_required")
    with transaction.atomic():
        locked = _lock(run, RunStatus.DRAFT, RunStatus.SENT)
        if Invoice.objects.filter(item__run=locked).exists():
            raise DomainError(
                _("Self-billed invoices were issued for this run: record the payment instead."),
                code="invoiced",
            )
        locked.lines.update(payment_run=None)
        # The partners' own invoices this run used are free for the next one.
        OwnInvoice.objects.filter(item__run=locked).update(item=None)
        locked.status, locked.closed_at = RunStatus.CANCELLED, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        audit_record(subject=locked, action="cancelled", actor=actor, reason=reason.strip())
    return locked


def run_mark_paid(*, run: PaymentRun, actor: User | None, items: list[int] | None = None) -> int:
    """Record the transfers as paid (all, or these items): their lines become paid."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(run, RunStatus.SENT)
        chosen = locked.items.filter(paid_at__isnull=True)
        if items is not None:
            chosen = chosen.filter(pk__in=items)
        partner_ids = list(chosen.values_list("partner_id", flat=True))
        chosen.update(paid_at=now)
        lines = locked.lines.filter(partner_id__in=partner_ids).exclude(status=LineStatus.PAID)
        line_ids = sorted(lines.values_list("pk", flat=True))
        lines.update(status=LineStatus.PAID, paid_at=now)
        if line_ids:
            events.publish(CommissionLinesMoved(line_ids, LineStatus.PAYABLE, LineStatus.PAID))
        if not locked.items.filter(paid_at__isnull=True).exists():
            locked.status, locked.closed_at = RunStatus.PAID, now
            locked.save(update_fields=["status", "closed_at"])
            events.publish(PaymentRunPaid(run_id=locked.pk))
        audit_record(subject=locked, action="paid", actor=actor, target=f"{len(partner_ids)}")
    return len(partner_ids)


def run_import_statement(
    *, run: PaymentRun, content: bytes, actor: User | None
) -> tuple[int, list[str]]:
    """The bank's statement CSV (columns: reference or end-to-end id, amount): the transfers it
    shows, at the right amount, are paid. Returns how many, and the lines it could not match."""
    text = content.decode("utf-8-sig", errors="replace")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,\t")
    items = {i.end_to_end_id: i for i in run.items.all()}
    matched, problems = [], []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
        reference = next((cell.strip() for cell in row if cell.strip() in items), None)
        if reference is None:
            if number > 1:
                problems.append(_("Line %(n)s: no transfer of this run.") % {"n": number})
            continue
        if not _amount_in(row, items[reference].amount):
            problems.append(_("Line %(n)s: the amount differs.") % {"n": number})
            continue
        matched.append(items[reference].pk)
    paid = run_mark_paid(run=run, actor=actor, items=matched) if matched else 0
    return paid, problems


def _amount_in(row: list[str], amount: Decimal) -> bool:
    for cell in row:
        try:
            if Decimal(cell.replace("\u202f", "").replace(" ", "").replace(",", ".")) == amount:
                return True
        except InvalidOperation:
            continue
    return False


SEND_JOB = "commissions.run_send"


def run_send_queue(*, run: PaymentRun, actor: User | None, back_url: str = "") -> BackgroundJob:
    """The manager sent the file to the bank: the task worker marks the run sent and issues
    its self-billed invoices (``run_send``: a PDF/A-3 each, seconds for a run) while the run's
    page shows how far it is. Asked twice, it is the same job."""
    if run.status != RunStatus.DRAFT:
        raise TransitionError(
            _("This run is %(status)s: that is no longer possible.")
            % {"status": RunStatus(run.status).label},
            code="illegal_transition",
        )
    label = _("%(run)s: file sent, self-billed invoices issued") % {"run": run}
    return job_start(
        kind=SEND_JOB, label=label, params={"run": run.pk}, actor=actor, back_url=back_url
    )
