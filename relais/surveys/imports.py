"""Importing customers from CSV/XLSX: the leads import's experience (upload, column mapping, a
dry run or the import, errors per row, progress) on the same machinery — ``core.tabular`` reads
the file row by row (``core.imports``: the upload, the mapped rows, the task's body shared
with the leads import), ``core.resumable`` takes a killed run up again after the last thousand it
committed, so each row is created once."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core import resumable
from relais.core.errors import DomainError
from relais.core.forms import field_errors
from relais.core.imports import Row, import_run, mapped_rows, upload_read
from relais.core.tabular import guess_mapping
from relais.leads.choices import LeadImportState
from relais.surveys.customers import FIELDS, Lookups, customer_check
from relais.surveys.models import Customer, CustomerImport, CustomerImportError

BATCH = 1000
PREVIEW_ROWS = 20


def field_labels() -> dict[str, str]:
    labels = {"product": _("Product"), "reseller_code": _("Reseller's referral code")}
    for name in FIELDS:
        if name not in labels:
            field = Customer._meta.get_field(name)
            labels[name] = capfirst(str(getattr(field, "verbose_name", name)))
    return labels


def import_upload(*, upload: UploadedFile, actor: User) -> CustomerImport:
    read = upload_read(upload)
    return CustomerImport.objects.create(
        created_by=actor,
        filename=read.filename,
        file=upload,
        headers=read.headers,
        mapping=guess_mapping(read.headers, FIELDS),
        total_rows=read.total,
    )


def import_queue(
    *, batch: CustomerImport, mapping: dict[str, str], mode: str, dry_run: bool
) -> CustomerImport:
    """Record the choices and hand the file to the task worker."""
    from relais.surveys.tasks import run_customer_import

    if not mapping.get("email") or not (mapping.get("last_name") or mapping.get("company_name")):
        raise DomainError(
            _("Map at least the e-mail and the last name or the company."),
            code="mapping_incomplete",
        )
    with transaction.atomic():
        started = resumable.start(
            CustomerImport,
            batch.pk,
            run_customer_import.enqueue,
            mapping=mapping,
            mode=mode,
            dry_run=dry_run,
            preview=[],
            processed=0,
            valid=0,
            created=0,
            invalid=0,
        )
        if not started:
            raise DomainError(_("This import is already running."), code="running")
        CustomerImportError.objects.filter(batch=batch).delete()
    batch.refresh_from_db()
    return batch


def import_retry(*, batch: CustomerImport) -> CustomerImport:
    from relais.surveys.tasks import run_customer_import

    if not resumable.retry(CustomerImport, batch.pk, run_customer_import.enqueue):
        raise DomainError(_("Only a failed or stalled import can be retried."), code="not_stalled")
    batch.refresh_from_db()
    return batch


def requeue_stalled(now: datetime) -> str:
    from relais.surveys.tasks import run_customer_import

    return resumable.requeue_stalled(CustomerImport, run_customer_import.enqueue)


def _rows(batch: CustomerImport, after: int = 0) -> Generator[Row]:
    return mapped_rows(batch.file, batch.filename, batch.mapping, after)


def _checked(
    batch: CustomerImport, chunk: list[tuple[int, dict[str, str]]], lookups: Lookups
) -> tuple[list[tuple[int, Customer]], list[CustomerImportError]]:
    good, bad = [], []
    for number, data in chunk:
        try:
            good.append((number, customer_check(data, lookups)))
        except ValidationError as exc:
            bad.append(CustomerImportError(batch=batch, row=number, fields=field_errors(exc)))
    return good, bad


def _pass(batch: CustomerImport, hold: resumable.Claim, *, write: bool) -> int:
    """One pass over the file, a thousand rows per transaction with its checkpoint: the
    validation (``write`` false: errors and a preview only) or the creation."""
    lookups, bad_total = Lookups(), 0
    preview: list[dict[str, str]] = []
    rows = _rows(batch, after=hold.resume_after if write else 0)
    try:
        while chunk := list(islice(rows, BATCH)):
            good, bad = _checked(batch, chunk, lookups)
            bad_total += len(bad)
            with transaction.atomic():
                if write:
                    Customer.objects.bulk_create([c for _n, c in good])
                CustomerImportError.objects.bulk_create(bad)
                resumable.checkpoint(
                    CustomerImport,
                    hold,
                    through=chunk[-1][0] if write else None,
                    processed=len(chunk),
                    invalid=len(bad),
                    valid=len(good),
                    created=len(good) if write else 0,
                )
            if not write:
                preview += [_preview(n, c) for n, c in good[: PREVIEW_ROWS - len(preview)]]
    finally:
        rows.close()
    if not write:
        CustomerImport.objects.filter(pk=batch.pk).update(preview=preview)
    return bad_total


def _preview(number: int, customer: Customer) -> dict[str, str]:
    return {
        "row": str(number),
        "name": customer.display_name,
        "email": customer.email,
        "product": customer.product.name if customer.product else "",
        "departement": customer.departement_id or "",
    }


def run(batch_id: int) -> None:
    """The task's body: dry run, valid-only or all-or-nothing, as the manager chose."""
    done, failed = LeadImportState.DONE, LeadImportState.FAILED
    import_run(CustomerImport, batch_id, _passes, done=done, failed=failed)


def _passes(batch: CustomerImport, hold: resumable.Claim) -> None:
    if hold.resume_after:  # rows already created: go on after them
        _pass(batch, hold, write=True)
        return
    _reset(batch)
    if batch.dry_run or batch.mode == "all_or_nothing":
        bad = _pass(batch, hold, write=False)
        if batch.dry_run or bad:
            return
        _reset(batch)
    _pass(batch, hold, write=True)


def _reset(batch: CustomerImport) -> None:
    CustomerImportError.objects.filter(batch=batch).delete()
    CustomerImport.objects.filter(pk=batch.pk).update(
        processed=0, valid=0, created=0, invalid=0, preview=[]
    )
