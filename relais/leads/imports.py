"""Importing leads from CSV/XLSX in the task worker: rows stream, memory stays flat.

Two passes over the file: the first validates every row and writes nothing but the errors (it is
the dry run, and the gate of an all-or-nothing import); the second creates the valid rows a
thousand at a time through the batch intake (the same checks as one lead, a fixed number of
queries per thousand), committing batch by batch so progress shows and a crash loses one batch.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.core.forms import field_errors
from relais.core.tabular import count_rows, guess_mapping, read_table
from relais.leads.choices import Channel
from relais.leads.intake import Submission, active_categories, lead_validate, leads_check
from relais.leads.models import LeadImport, LeadImportError, ProductCategory
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


def import_upload(*, upload: UploadedFile, actor: Any) -> LeadImport:
    limit = settings.RELAIS_IMPORT_MAX_MB * 1024 * 1024
    if (upload.size or 0) > limit:
        raise DomainError(
            _("File %(name)s is %(size)s MB; at most %(limit)s MB can be imported.")
            % {
                "name": upload.name,
                "size": round((upload.size or 0) / 1048576),
                "limit": settings.RELAIS_IMPORT_MAX_MB,
            },
            code="file_too_large",
        )
    table = read_table(upload, upload.name or "")
    headers = table.headers
    upload.seek(0)
    total = count_rows(upload, upload.name or "")
    upload.seek(0)
    return LeadImport.objects.create(
        created_by=actor,
        filename=upload.name or "",
        file=upload,
        headers=headers,
        mapping=guess_mapping(headers, FIELDS),
        total_rows=total,
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
    if batch.state in (LeadImport.State.QUEUED, LeadImport.State.RUNNING):
        raise DomainError(_("This import is already running."), code="running")
    LeadImportError.objects.filter(batch=batch).delete()
    LeadImport.objects.filter(pk=batch.pk).update(
        mapping=mapping,
        mode=mode,
        dry_run=dry_run,
        state=LeadImport.State.QUEUED,
        processed=0,
        valid=0,
        created=0,
        invalid=0,
        preview=[],
        failure="",
    )
    transaction.on_commit(lambda: run_lead_import.enqueue(batch.pk))
    batch.refresh_from_db()
    return batch


def _rows(batch: LeadImport) -> Generator[tuple[int, dict[str, str]]]:
    with batch.file.open("rb") as handle:
        table = read_table(handle, batch.filename)
        index = {h: i for i, h in enumerate(table.headers)}
        columns = {field: index[h] for field, h in batch.mapping.items() if h in index}
        for number, row in enumerate(table.rows, start=2):
            yield number, {f: row[i] if i < len(row) else "" for f, i in columns.items()}


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


def _check(
    data: dict[str, str],
    partners: dict[str, Partner | None],
    categories: dict[str, ProductCategory],
) -> dict[str, Any]:
    """Validate one row without writing; every bad field named at once."""
    errors: dict[str, str] = {}
    try:
        _partner(data.pop("partner_code", "").strip(), partners)
    except ValidationError as exc:
        errors.update(field_errors(exc))
    try:
        cleaned = lead_validate(data, categories=categories)
    except ValidationError as exc:
        errors.update(field_errors(exc))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_errors(batch: LeadImport, errors: list[LeadImportError], **progress: int) -> None:
    LeadImportError.objects.bulk_create(errors)
    LeadImport.objects.filter(pk=batch.pk).update(**{k: F(k) + v for k, v in progress.items()})


def validate_pass(batch: LeadImport) -> int:
    """Count valid rows and store every error; nothing else is written."""
    partners: dict[str, Partner | None] = {}
    categories = active_categories()
    errors: list[LeadImportError] = []
    valid = seen = 0
    preview: list[dict[str, str]] = []
    for number, data in _rows(batch):
        seen += 1
        try:
            cleaned = _check(dict(data), partners, categories)
        except ValidationError as exc:
            errors.append(LeadImportError(batch=batch, row=number, fields=field_errors(exc)))
        else:
            valid += 1
            if len(preview) < PREVIEW_ROWS:
                preview.append({"row": str(number), **{k: str(v) for k, v in cleaned.items()}})
        if seen % BATCH == 0:
            _save_errors(batch, errors, processed=BATCH, invalid=len(errors), valid=valid)
            errors, valid = [], 0
    _save_errors(batch, errors, processed=seen % BATCH, invalid=len(errors), valid=valid)
    LeadImport.objects.filter(pk=batch.pk).update(preview=preview)
    return LeadImportError.objects.filter(batch=batch).count()


# One row as the reader thread hands it over: its line, its referral code (looked up in the
# main thread, which holds the database connection), the submission and its validation.
Read = tuple[int, str, Submission, dict[str, Any] | ValidationError]


def create_pass(batch: LeadImport) -> None:
    """Create every valid row, a thousand at a time through the batch intake; a bad row is
    recorded and skipped (valid-only mode). Each thousand commits with its progress.

    A second thread reads and validates the next thousand while this one is written: validation
    is pure Python and the database driver lets go of the interpreter while it waits, so the two
    overlap. At most two thousand rows are held, so memory stays flat."""
    partners: dict[str, Partner | None] = {}
    rows = _rows(batch)
    read = partial(_read, rows, active_categories(), translation.get_language())
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lead-import") as reader:
            pending = reader.submit(read)
            while chunk := pending.result():
                pending = reader.submit(read)
                _create(batch, chunk, partners)
    finally:
        rows.close()


def _read(
    rows: Iterator[tuple[int, dict[str, str]]],
    categories: dict[str, ProductCategory],
    language: str | None,
) -> list[Read]:
    """The next thousand rows, validated; runs in the reader thread, so it never queries."""
    with translation.override(language):
        chunk = [
            (number, data.pop("partner_code", "").strip(), Submission(data))
            for number, data in islice(rows, BATCH)
        ]
        checked = leads_check([item for _n, _c, item in chunk], categories=categories)
    return [(n, code, item, c) for (n, code, item), c in zip(chunk, checked, strict=True)]


def _create(batch: LeadImport, chunk: list[Read], partners: dict[str, Partner | None]) -> None:
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
    with transaction.atomic():
        outcomes = leads_submit(
            items=[item for _n, item, _c in keep],
            checked=[checked for _n, _i, checked in keep],
            channel=Channel.IMPORT,
            actor=batch.created_by,
        )
        errors += [
            LeadImportError(batch=batch, row=number, fields=field_errors(outcome))
            for (number, _i, _c), outcome in zip(keep, outcomes, strict=True)
            if isinstance(outcome, ValidationError)
        ]
        created = len(chunk) - len(errors)
        _save_errors(
            batch,
            sorted(errors, key=lambda e: e.row),
            processed=len(chunk),
            invalid=len(errors),
            created=created,
            valid=created,
        )


def run(batch_id: int) -> None:
    """The task's body: dry run, valid-only or all-or-nothing, as the manager chose."""
    batch = LeadImport.objects.get(pk=batch_id)
    LeadImport.objects.filter(pk=batch_id).update(state=LeadImport.State.RUNNING)
    try:
        if batch.dry_run or batch.mode == "all_or_nothing":
            bad = validate_pass(batch)
            if batch.dry_run or bad:
                LeadImport.objects.filter(pk=batch_id).update(state=LeadImport.State.DONE)
                return
            LeadImport.objects.filter(pk=batch_id).update(processed=0, valid=0)
        create_pass(batch)
    except Exception as exc:  # the manager sees why the import stopped
        LeadImport.objects.filter(pk=batch_id).update(
            state=LeadImport.State.FAILED, failure=str(exc)[:2000]
        )
        raise
    LeadImport.objects.filter(pk=batch_id).update(state=LeadImport.State.DONE)
