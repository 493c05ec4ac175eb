"""Importing partners from CSV/XLSX in the task worker: column mapping, dry run, per-row report,
two modes, progress stored as it goes.

A dry run (and the gate of an all-or-nothing import) checks every row with ``partner_check`` and
writes nothing but the report; the creation then goes ``BATCH`` rows at a time, each chunk
committing its partners with the progress and the last file row done (``resume_after``), so a
run started again after a worker died goes on from there and creates no partner twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.forms import field_errors
from relais.core.tabular import count_rows, read_table
from relais.core.tabular import guess_mapping as tabular_guess
from relais.core.tabular import plain as _plain
from relais.core.uploads import check_import_size
from relais.partners.choices import ImportMode, ImportState, LegalForm, PartnerKind, TaxRegime
from relais.partners.models import Partner, PartnerImport
from relais.partners.services.records import partner_check, partner_create
from relais.partners.tasks import run_partner_import

# Relais field → (label, header names recognised when guessing the mapping)
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "kind": (gettext_lazy("Kind"), ("type", "kind", "type de partenaire")),
    "legal_form": (
        gettext_lazy("Legal form"),
        ("forme juridique", "legal form", "statut juridique"),
    ),
    "tax_regime": (gettext_lazy("Declared tax regime"), ("regime fiscal", "tax regime", "regime")),
    "company_name": (
        gettext_lazy("Company name"),
        ("raison sociale", "societe", "company", "entreprise"),
    ),
    "first_name": (gettext_lazy("First name"), ("prenom", "first name", "firstname")),
    "last_name": (gettext_lazy("Last name"), ("nom", "last name", "lastname", "nom de famille")),
    "email": (gettext_lazy("E-mail"), ("email", "e-mail", "courriel", "mail")),
    "phone": (gettext_lazy("Phone"), ("telephone", "tel", "phone", "mobile", "portable")),
    "address_line": (gettext_lazy("Address"), ("adresse", "address", "rue")),
    "postcode": (gettext_lazy("Postcode"), ("code postal", "cp", "postcode", "zip")),
    "city": (gettext_lazy("City"), ("ville", "commune", "city")),
    "siren": (gettext_lazy("SIREN"), ("siren",)),
    "siret": (gettext_lazy("SIRET"), ("siret",)),
    "vat_number": (
        gettext_lazy("VAT number"),
        ("tva", "numero de tva", "vat", "tva intracommunautaire"),
    ),
    "iban": (gettext_lazy("IBAN"), ("iban",)),
    "bic": (gettext_lazy("BIC"), ("bic", "swift")),
    "sector": (gettext_lazy("Sector"), ("secteur", "sector", "activite")),
    "served_departements": (
        gettext_lazy("Départements served"),
        ("departements", "departements couverts", "zones"),
    ),
}
REQUIRED = ("kind", "legal_form", "tax_regime", "email", "postcode")
CHOICES = {"kind": PartnerKind, "legal_form": LegalForm, "tax_regime": TaxRegime}
PREVIEW_ROWS = 20
# Rows per transaction: a partner is some ten queries to write, so a chunk commits in well
# under a second and a dead worker loses at most that.
BATCH = 200
Row = tuple[int, dict[str, Any], list[str]]


def guess_mapping(headers: list[str]) -> dict[str, str]:
    return tabular_guess(headers, {field: aliases for field, (_label, aliases) in FIELDS.items()})


def import_upload(*, upload: UploadedFile, actor: Any) -> PartnerImport:
    """Keep the file, read its header row and count its rows (a file too large, broken or
    empty is refused here, before anything is kept)."""
    check_import_size(upload)
    name = upload.name or ""
    table = read_table(upload, name)
    upload.seek(0)
    total = count_rows(upload, name)
    upload.seek(0)
    return PartnerImport.objects.create(
        created_by=actor, filename=name, file=upload, headers=table.headers,
        mapping=guess_mapping(table.headers), total_rows=total,
    )  # fmt: skip


def _check_mapping(mapping: dict[str, str]) -> None:
    missing = [str(FIELDS[f][0]) for f in REQUIRED if not mapping.get(f)]
    if missing:
        raise DomainError(
            _("Map a column to every required field: %(fields)s.") % {"fields": ", ".join(missing)},
            code="mapping_incomplete",
        )


def import_queue(
    *, batch: PartnerImport, mapping: dict[str, str], mode: str, dry_run: bool
) -> PartnerImport:
    """Record the choices and hand the file to the task worker, from its first row."""
    _check_mapping(mapping)
    if batch.state in (ImportState.QUEUED, ImportState.RUNNING):
        raise DomainError(_("This import is already running."), code="running")
    if batch.imported_at is not None:
        raise DomainError(_("This file was imported already."), code="imported")
    PartnerImport.objects.filter(pk=batch.pk).update(
        mapping=mapping, mode=ImportMode(mode), dry_run=dry_run, state=ImportState.QUEUED,
        processed=0, valid=0, created=0, invalid=0, resume_after=0, report={}, failure="",
        heartbeat_at=None,
    )  # fmt: skip
    _enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def import_resume(*, batch: PartnerImport) -> PartnerImport:
    """Start again an import that stopped half-way (it failed, or its worker died: no sign of
    life for ``models.imports.STALLED``); the rows up to ``resume_after`` are not created again."""
    if not batch.resumable:
        raise DomainError(_("Only an import that stopped half-way can be resumed."), code="resume")
    PartnerImport.objects.filter(pk=batch.pk).update(state=ImportState.QUEUED, failure="")
    _enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def _enqueue(batch_id: int) -> None:
    transaction.on_commit(lambda: run_partner_import.enqueue(batch_id))


def _choice(field: str, value: str) -> str:
    """Accept the code or the label, in French or English, any case: whatever language the
    request or the task worker runs in (the worker's is not the uploader's)."""
    wanted = _plain(value)
    for code, label in CHOICES[field].choices:
        names = {_plain(str(code))}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(_plain(str(label)))
        if wanted in names:
            return str(code)
    return value  # left as is: the service names it as not a valid choice


def _rows(batch: PartnerImport) -> Iterator[Row]:
    """Each data row as (file row number, the fields, the départements served)."""
    with batch.file.open("rb") as handle:
        table = read_table(handle, batch.filename)
        index = {h: i for i, h in enumerate(table.headers)}
        for number, row in enumerate(table.rows, start=2):  # row 1 holds the headers
            data: dict[str, Any] = {}
            for field, header in batch.mapping.items():
                if header in index and index[header] < len(row):
                    value = row[index[header]]
                    data[field] = _choice(field, value) if field in CHOICES and value else value
            served = [
                c
                for c in data.pop("served_departements", "").replace(";", ",").split(",")
                if c.strip()
            ]
            yield number, data, served


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while chunk := list(islice(rows, BATCH)):
        yield chunk


def run(batch_id: int) -> None:
    """The task's body: a dry run, or the creation (all-or-nothing: once every row passed).
    Safe to run twice: a finished import is left alone, a stopped one goes on where it was."""
    batch = PartnerImport.objects.get(pk=batch_id)
    if batch.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return
    _update(batch, state=ImportState.RUNNING)
    try:
        # An import that already created rows passed its checks before it began.
        if batch.resume_after == 0 and (batch.dry_run or batch.mode == ImportMode.ALL_OR_NOTHING):
            bad = _validate_pass(batch)
            if batch.dry_run or bad:
                _update(batch, state=ImportState.DONE)
                return
            _update(batch, processed=0, valid=0, report={"errors": [], "preview": []})
        _create_pass(batch)
    except Exception as exc:  # the manager sees why the import stopped, and may resume it
        _update(batch, state=ImportState.FAILED, failure=str(exc)[:2000])
        raise
    _finish(batch_id)


def _update(batch: PartnerImport, **values: Any) -> None:
    PartnerImport.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now(), **values)


def _validate_pass(batch: PartnerImport) -> int:
    """Check every row, write nothing but the report; returns how many rows are in error."""
    report: dict[str, list[Any]] = {"errors": [], "preview": []}
    for chunk in _chunks(_rows(batch)):
        valid = 0
        errors = []
        for number, data, served in chunk:
            try:
                partner, _served, _warnings = partner_check(data=data, served_departements=served)
            except ValidationError as exc:
                errors.append({"row": number, "fields": field_errors(exc)})
                continue
            valid += 1
            if len(report["preview"]) < PREVIEW_ROWS:
                report["preview"].append(_preview(number, partner))
        report["errors"] += errors
        _update(
            batch, report=report, processed=F("processed") + len(chunk),
            valid=F("valid") + valid, invalid=F("invalid") + len(errors),
        )  # fmt: skip
    return len(report["errors"])


def _create_pass(batch: PartnerImport) -> None:
    for chunk in _chunks(_rows(batch)):
        if chunk[-1][0] > batch.resume_after:  # a chunk done before a restart is only read
            _create_chunk(batch.pk, chunk)


def _create_chunk(batch_id: int, chunk: list[Row]) -> None:
    """Create a chunk's valid rows and record them, in one transaction: the import's row is
    locked and ``resume_after`` read again, so two workers on one import create nothing twice."""
    with transaction.atomic():
        batch = PartnerImport.objects.select_for_update().get(pk=batch_id)
        todo = [row for row in chunk if row[0] > batch.resume_after]
        if not todo:
            return
        report = {"errors": [], "preview": [], **batch.report}
        created = 0
        for number, data, served in todo:
            try:
                with transaction.atomic():  # a savepoint per row: a bad row leaves no trace
                    partner, _warnings = partner_create(
                        data=data, served_departements=served, actor=batch.created_by
                    )
            except ValidationError as exc:
                report["errors"].append({"row": number, "fields": field_errors(exc)})
                continue
            created += 1
            if len(report["preview"]) < PREVIEW_ROWS:
                report["preview"].append(_preview(number, partner))
        refused = len(todo) - created
        _update(
            batch, report=report, resume_after=todo[-1][0], processed=F("processed") + len(todo),
            created=F("created") + created, valid=F("valid") + created,
            invalid=F("invalid") + refused,
        )  # fmt: skip


def _finish(batch_id: int) -> None:
    with transaction.atomic():
        batch = PartnerImport.objects.select_for_update().get(pk=batch_id)
        if batch.created:
            batch.imported_at = timezone.now()
        batch.state = ImportState.DONE
        batch.save(update_fields=["imported_at", "state"])
        if batch.created:
            audit_record(
                subject=batch, action="imported", actor=batch.created_by, target=batch.filename,
                changes={"created": [0, batch.created]},
            )  # fmt: skip


def _preview(number: int, partner: Partner) -> dict[str, Any]:
    return {
        "row": number, "name": partner.display_name, "kind": partner.get_kind_display(),
        "email": partner.email, "departement": partner.departement_id, "siret": partner.siret,
    }  # fmt: skip
