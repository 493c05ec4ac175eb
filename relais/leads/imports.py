"""Importing leads from CSV/XLSX in the task worker: rows stream, memory stays flat.

Two passes over the file: the first validates every row and writes nothing but the errors (it is
the dry run, and the gate of an all-or-nothing import); the second creates the valid rows a
thousand at a time through the batch intake (the same checks as one lead, a fixed number of
queries per thousand), committing batch by batch so progress shows and a crash loses one batch.

A run that dies (its worker killed) is taken up again (``core.resumable``): each thousand
records its last row in its own transaction, and the next run skips the rows up to it, so each
row is created once; a sweep re-queues an import whose worker went silent, and its page offers
a retry.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from relais.accounts.models import User
from relais.bulk.lanes import Turn, in_lanes
from relais.core import resumable
from relais.core.errors import DomainError
from relais.core.forms import field_errors
from relais.core.imports import import_run, mapped_rows, upload_read
from relais.core.tabular import guess_mapping
from relais.leads.choices import Channel, LeadImportState
from relais.leads.intake import Submission, active_categories, leads_check
from relais.leads.models import Lead, LeadImport, LeadImportError, ProductCategory
from relais.leads.services import leads_submit
from relais.leads.tasks import run_lead_import
from relais.partners.models import Partner

BATCH = 1000
PREVIEW_ROWS = 20
FIELDS: dict[str, tuple[str, ...]] = {
    "first_name": ("prenom", "first name"),
    "last_name": ("nom", "name", "last name", "client"),
    "company_name": ("societe", "entreprise", "raison sociale", "company"),
    "email": ("email", "e-mail", "courriel", "mail"),
    "phone": ("telephone", "tel", "phone", "mobile", "portable"),
    "siret": ("siret",),
    "siren": ("siren",),
    "address_line": ("adresse", "address"),
    "postcode": ("code postal", "cp", "postcode", "zip"),
    "city": ("ville", "city", "commune"),
    "need": ("besoin", "projet", "need", "description"),
    "category": ("produit", "categorie", "category", "product"),
    "estimated_value": ("montant", "valeur", "value", "montant estime"),
    "partner_code": ("code apporteur", "code parrainage", "referral code", "partner code"),
}
REQUIRED = ("postcode",)
# Importable fields that are not the lead's own: how the mapping form names them.
OTHER_LABELS = {"siret": _lazy("SIRET"), "partner_code": _lazy("introducer's referral code")}


def field_labels() -> dict[str, str]:
    """Each importable field as the app names it (the lead's field, translated), for the
    column mapping: "Code postal", not ``postcode``."""
    labels = {}
    for name in FIELDS:
        label: object = OTHER_LABELS.get(name)
        if label is None:  # a column of the lead, never a relation's other end
            label = Lead._meta.get_field(name).verbose_name  # type: ignore[union-attr]
        labels[name] = capfirst(str(label))
    return labels


def import_upload(*, upload: UploadedFile, actor: User) -> LeadImport:
    read = upload_read(upload)
    return LeadImport.objects.create(
        created_by=actor,
        filename=read.filename,
        file=upload,
        headers=read.headers,
        mapping=guess_mapping(read.headers, FIELDS),
        total_rows=read.total,
    )


def import_queue(
    *, batch: LeadImport, mapping: dict[str, str], mode: str, dry_run: bool
) -> LeadImport:
    """Record the choices and hand the file to the task worker."""
    missing = [f for f in REQUIRED if not mapping.get(f)]
    if missing or not (mapping.get("email") or mapping.get("phone")):
        raise DomainError(
            _("Map at least the postcode and the e-mail or the phone."), code="mapping_incomplete"
        )
    with transaction.atomic():
        started = resumable.start(
            LeadImport,
            batch.pk,
            run_lead_import.enqueue,
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
        LeadImportError.objects.filter(batch=batch).delete()
    batch.refresh_from_db()
    return batch


def import_retry(*, batch: LeadImport) -> LeadImport:
    """Queue a failed or stalled import again: it goes on after the rows already created."""
    if not resumable.retry(LeadImport, batch.pk, run_lead_import.enqueue):
        raise DomainError(_("Only a failed or stalled import can be retried."), code="not_stalled")
    batch.refresh_from_db()
    return batch


def requeue_stalled(now: datetime) -> str:
    """The recurring job: re-queue each import whose worker went silent (or, queued, whose
    task was lost with Redis)."""
    return resumable.requeue_stalled(LeadImport, run_lead_import.enqueue)


def _rows(batch: LeadImport, after: int = 0) -> Generator[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers, from the one after ``after``."""
    return mapped_rows(batch.file, batch.filename, batch.mapping, after)


def _partner(code: str, partners: dict[str, Partner | None]) -> Partner | None:
    """The introducer named by its referral code (looked up once per code and file)."""
    if not code:
        return None
    if code not in partners:
        partners[code] = Partner.objects.filter(referral_code=code).first()
    if partners[code] is None:
        message = _("No partner has the referral code %(code)s.") % {"code": code}
        raise ValidationError({"partner_code": message})
    return partners[code]


def _save_errors(
    hold: resumable.Claim,
    errors: list[LeadImportError],
    through: int | None = None,
    **progress: int,
) -> None:
    """A thousand's errors and progress, in its transaction (``through``: its last row)."""
    LeadImportError.objects.bulk_create(errors)
    resumable.checkpoint(LeadImport, hold, through=through, **progress)


def validate_pass(batch: LeadImport, hold: resumable.Claim) -> int:
    """Count valid rows and store every error; nothing else is written. The same checks as the
    creation's (``_checked``, ``_named``), a thousand rows at a time."""
    partners: dict[str, Partner | None] = {}
    categories = active_categories()
    preview: list[dict[str, str]] = []
    rows = _rows(batch)
    try:
        while chunk := _chunk(rows):
            errors, keep = _named(batch, _checked(chunk, categories), partners)
            valid = 0
            for number, _item, checked in keep:
                if isinstance(checked, ValidationError):
                    fields = field_errors(checked)
                    errors.append(LeadImportError(batch=batch, row=number, fields=fields))
                    continue
                valid += 1
                if len(preview) < PREVIEW_ROWS:
                    preview.append({"row": str(number), **{k: str(v) for k, v in checked.items()}})
            errors.sort(key=lambda e: e.row)
            with transaction.atomic():  # a run taken over writes no errors after its successor's
                _save_errors(hold, errors, processed=len(chunk), invalid=len(errors), valid=valid)
    finally:
        rows.close()
    LeadImport.objects.filter(pk=batch.pk).update(preview=preview)
    return LeadImportError.objects.filter(batch=batch).count()


# One row once read: its line, its referral code, the submission and its validation.
Read = tuple[int, str, Submission, dict[str, Any] | ValidationError]


def create_pass(batch: LeadImport, hold: resumable.Claim) -> None:
    """Create every valid row, a thousand at a time through the batch intake; a bad row is
    recorded and skipped (valid-only mode). Each thousand commits with its progress, in the
    file's order. At most four thousand rows are held at once, so memory stays flat.

    On PostgreSQL two connections write in turn (``relais.bulk.lanes``): while one waits on the
    database, the other validates and writes the next thousand; a prospect in both is taken
    by the earlier one first. On SQLite, which takes one writer at a time, a second thread
    reads and validates the next thousand while this one is written. Inside a caller's
    transaction everything stays on its connection (other connections could not see it).
    A resumed run starts after the last row its predecessor committed."""
    rows = _rows(batch, after=hold.resume_after)
    categories = active_categories()
    partners: dict[str, Partner | None] = {}
    try:
        if connection.features.has_select_for_update and not connection.in_atomic_block:
            chunks = iter(partial(_chunk, rows), [])
            in_lanes(chunks, partial(_write_turn, batch, hold, categories, partners))
        else:
            _write_behind_reader(batch, hold, rows, categories, partners)
    finally:
        rows.close()


def _chunk(rows: Iterator[tuple[int, dict[str, str]]]) -> list[tuple[int, dict[str, str]]]:
    return list(islice(rows, BATCH))


def _checked(
    chunk: list[tuple[int, dict[str, str]]], categories: dict[str, ProductCategory]
) -> list[Read]:
    """The rows validated (no query: it may run in a thread without a connection)."""
    read = [
        (number, data.pop("partner_code", "").strip(), Submission(data)) for number, data in chunk
    ]
    checked = leads_check([item for _n, _c, item in read], categories=categories)
    return [(n, code, item, c) for (n, code, item), c in zip(read, checked, strict=True)]


def _write_turn(
    batch: LeadImport,
    hold: resumable.Claim,
    categories: dict[str, ProductCategory],
    partners: dict[str, Partner | None],
    chunk: list[tuple[int, dict[str, str]]],
    turn: Turn,
) -> None:
    """One thousand in its lane: validated while the other lane writes, then written."""
    _create(batch, hold, _checked(chunk, categories), partners, turn)


def _write_behind_reader(
    batch: LeadImport,
    hold: resumable.Claim,
    rows: Iterator[tuple[int, dict[str, str]]],
    categories: dict[str, ProductCategory],
    partners: dict[str, Partner | None],
) -> None:
    language = translation.get_language()

    def read() -> list[Read]:
        with translation.override(language):
            return _checked(_chunk(rows), categories)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lead-import") as reader:
        pending = reader.submit(read)
        while chunk := pending.result():
            pending = reader.submit(read)
            _create(batch, hold, chunk, partners, Turn(previous=None))  # alone: nothing to wait for


def _named(
    batch: LeadImport, chunk: list[Read], partners: dict[str, Partner | None]
) -> tuple[list[LeadImportError], list[tuple[int, Submission, dict[str, Any] | ValidationError]]]:
    """Each row's introducer from its referral code; a row naming no partner is an error,
    reported with its other bad fields."""
    errors, keep = [], []
    for number, code, item, checked in chunk:
        try:
            item.partner = _partner(code, partners)
        except ValidationError as exc:
            fields = field_errors(exc)
            if isinstance(checked, ValidationError):
                fields |= field_errors(checked)
            errors.append(LeadImportError(batch=batch, row=number, fields=fields))
        else:
            keep.append((number, item, checked))
    return errors, keep


def _create(
    batch: LeadImport,
    hold: resumable.Claim,
    chunk: list[Read],
    partners: dict[str, Partner | None],
    turn: Turn,
) -> None:
    errors, keep = _named(batch, chunk, partners)
    turn.start()
    with transaction.atomic():
        outcomes = leads_submit(
            items=[item for _n, item, _c in keep],
            checked=[checked for _n, _i, checked in keep],
            channel=Channel.IMPORT,
            actor=batch.created_by,
            holds=turn.holds,
        )
        errors += [
            LeadImportError(batch=batch, row=number, fields=field_errors(outcome))
            for (number, _i, _c), outcome in zip(keep, outcomes, strict=True)
            if isinstance(outcome, ValidationError)
        ]
        turn.before_commit()
        created = len(chunk) - len(errors)
        _save_errors(
            hold,
            sorted(errors, key=lambda e: e.row),
            through=chunk[-1][0],  # committed with the leads: the next run starts after it
            processed=len(chunk),
            invalid=len(errors),
            created=created,
            valid=created,
        )


def run(batch_id: int) -> None:
    """The task's body: dry run, valid-only or all-or-nothing, as the manager chose
    (``core.imports.import_run``: taken over first, a finished or live import left alone)."""
    done, failed = LeadImportState.DONE, LeadImportState.FAILED
    import_run(LeadImport, batch_id, _passes, done=done, failed=failed)


def _passes(batch: LeadImport, hold: resumable.Claim) -> None:
    if hold.resume_after:  # the creation had committed rows: it goes on after them
        create_pass(batch, hold)
        return
    # Nothing created yet (a first run, or one that died validating): start from the top.
    LeadImportError.objects.filter(batch=batch).delete()
    LeadImport.objects.filter(pk=batch.pk).update(
        processed=0, valid=0, created=0, invalid=0, preview=[]
    )
    if batch.dry_run or batch.mode == "all_or_nothing":
        bad = validate_pass(batch, hold)
        if batch.dry_run or bad:
            return
        LeadImport.objects.filter(pk=batch.pk).update(processed=0, valid=0)
    create_pass(batch, hold)
