"""The documents a payment depends on: what a professional partner sends us (its URSSAF
vigilance certificate, an invoice of its own) and the statement of each payment, which the task
worker makes (``tasks.run_documents``) and a request never builds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.commissions.models import OwnInvoice, PaymentItem, PaymentRun, VigilanceCertificate
from relais.commissions.tasks import run_documents
from relais.core import ratelimit
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.money import cents
from relais.core.textcheck import refuse_bad_text
from relais.partners.models import Partner

# A statement asked for before the worker made it queues the run's job again at most this often
# (seconds): however often the partner reloads, the queue gets one job a minute.
STATEMENT_REQUEUE_SECONDS = 60


def _professional(partner: Partner) -> None:
    if not partner.is_professional:
        raise DomainError(
            _("Only a professional partner sends these documents."), code="not_professional"
        )


def _save_once(
    document: VigilanceCertificate | OwnInvoice, clash: QuerySet[Any], duplicate: DomainError
) -> None:
    """Save a new document; its unique constraint settles two sends at once (a double click,
    two tabs): the second is refused with ``duplicate`` and its uploaded file removed."""
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        if not clash.exists():
            raise  # another constraint failed: not a duplicate
        raise duplicate from None


def vigilance_certificate_create(
    *, partner: Partner, issued_on: date, file: File, actor: User | None
) -> VigilanceCertificate:
    """A professional's URSSAF vigilance certificate; one per issue date. Audited."""
    _professional(partner)
    if issued_on > timezone.localdate():
        raise DomainError(
            _("A certificate cannot be issued in the future."),
            code="issued_in_future",
            fields={"issued_on": _("A past or present date is required.")},
        )
    certificate = VigilanceCertificate(partner=partner, issued_on=issued_on, file=file)
    when = date_format(issued_on, "SHORT_DATE_FORMAT")
    with transaction.atomic():
        _save_once(
            certificate,
            VigilanceCertificate.objects.filter(partner=partner, issued_on=issued_on),
            DomainError(
                _("You already sent the certificate issued on %(date)s.") % {"date": when},
                code="duplicate",
                fields={"issued_on": _("Already sent.")},
            ),
        )
        audit_record(subject=certificate, action="received", actor=actor, target=str(issued_on))
    return certificate


def own_invoice_create(
    *, partner: Partner, number: str, amount_incl_vat: Decimal, file: File, actor: User | None
) -> OwnInvoice:
    """An invoice a professional without a self-billing mandate sends for its commissions; each
    number once per partner. Audited."""
    _professional(partner)
    number = number.strip()
    refuse_bad_text(OwnInvoice, {"number": number})
    if not number:
        raise DomainError(
            _("Give the invoice's number."),
            code="number_required",
            fields={"number": _("Required.")},
        )
    if amount_incl_vat < 0:
        raise DomainError(
            _("Give the invoice's amount, 0 or more."),
            code="amount_required",
            fields={"amount_incl_vat": _("An amount of 0 or more is required.")},
        )
    invoice = OwnInvoice(
        partner=partner, number=number, amount_incl_vat=cents(amount_incl_vat), file=file
    )
    with transaction.atomic():
        _save_once(
            invoice,
            OwnInvoice.objects.filter(partner=partner, number=number),
            DomainError(
                _("You already sent invoice %(n)s.") % {"n": number},
                code="duplicate",
                fields={"number": _("Already sent.")},
            ),
        )
        audit_record(
            subject=invoice,
            action="received",
            actor=actor,
            target=number,
            changes={"amount_incl_vat": [None, str(invoice.amount_incl_vat)]},
        )
    return invoice


def statement_request(*, item: PaymentItem) -> bool:
    """A partner asked for a statement the worker has not made yet: make sure the run's
    documents job is queued (its worker may have died; ``run_documents`` makes only the
    missing statements, so a job too many costs nothing). True when a job was queued now."""
    if item.statement:
        return False
    # Counted where every process sees it (``core.ratelimit``): one job a minute per run.
    if not ratelimit.hit(
        f"statement-request:{item.run_id}", limit=1, window=STATEMENT_REQUEUE_SECONDS
    ):
        return False
    run_id = item.run_id
    transaction.on_commit(lambda: run_documents.enqueue(run_id))
    return True


def run_statements_request(*, run: PaymentRun) -> int:
    """A manager asked for the statements of a run the worker has not all made (a run of
    the demo, or one older than the recurring job watches): queue the run's documents job,
    which makes the missing ones only. Returns how many are missing."""
    missing = run.items.filter(statement="").count()
    if missing:
        run_id = run.pk
        transaction.on_commit(lambda: run_documents.enqueue(run_id))
    return missing
