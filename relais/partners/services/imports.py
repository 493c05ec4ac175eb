"""Importing partners from CSV/XLSX in the task worker: column mapping, dry run, per-row report,
two modes, progress stored as it goes.

A dry run (and the gate of an all-or-nothing import) checks every row with ``partner_check`` and
writes nothing but the report; the creation then goes ``BATCH`` rows at a time, each chunk
committing its partners with the progress and the last file row done (``core.resumable``): a
run whose worker died is queued again by the ``partners.imports`` sweep (or the page's Retry)
and goes on after that row, so no partner is created twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.accounts.models import User
from relais.core import resumable
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


def import_upload(*, upload: UploadedFile, actor: User) -> PartnerImport:
    """Keep the file, read its header row and count its rows (a file too large, broken or
    empty is refused here, before anything is kept)."""
    check_import_size(upload)
    name = upload.name or ""
    table = read_table(upload, name)
    upload.seek(0)
    total = count_rows(upload, name)
    upload.seek(0)
    return PartnerImport.objects.create(
        created_by=actor,
        filename=name,
        file=upload,
        headers=table.headers,
        mapping=guess_mapping(table.headers),
        total_rows=total,
    )


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
    if batch.imported_at is not None:
        raise DomainError(_("This file was imported already."), code="imported")
    started = resumable.start(
        PartnerImport,
        batch.pk,
        run_partner_import.enqueue,
        mapping=mapping,
        mode=ImportMode(mode),
        dry_run=dry_run,
        report={},
        processed=0,
        valid=0,
        created=0,
        invalid=0,
    )
    if not started:
        raise DomainError(_("This import is already running."), code="running")
    batch.refresh_from_db()
    return batch


def import_resume(*, batch: PartnerImport) -> PartnerImport:
    """Queue again an import that stopped half-way (it failed, or its worker went silent for
    ``RELAIS_STALLED_AFTER_SECONDS``); the rows up to ``resume_after`` are not created again."""
    if not batch.resumable or not resumable.retry(
        PartnerImport, batch.pk, run_partner_import.enqueue
    ):
        raise DomainError(_("Only an import that stopped half-way can be resumed."), code="resume")
    batch.refresh_from_db()
    return batch


def requeue_stalled(now: datetime) -> str:
    """The ``partners.imports`` recurring job: queue again each import whose worker went silent
    (or, queued, whose task was lost with Redis)."""
    return resumable.requeue_stalled(PartnerImport, run_partner_import.enqueue)


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
    It first takes the import over (``core.resumable.claim``): a task for an import that is
    finished, or alive in another worker, does nothing; a stopped one goes on where it was."""
    hold = resumable.claim(PartnerImport, batch_id)
    if hold is None:
        return
    batch = PartnerImport.objects.get(pk=batch_id)
    try:
        _passes(batch, hold)
    except resumable.Superseded:
        return  # a later run took over: it finishes the import
    except Exception as exc:  # the manager sees why the import stopped, and may resume it
        resumable.finish(PartnerImport, hold, state=ImportState.FAILED, failure=str(exc)[:2000])
        raise
    _finish(batch, hold)


def _passes(batch: PartnerImport, hold: resumable.Claim) -> None:
    if hold.resume_after:  # the creation had committed rows: they passed their checks, go on
        _create_pass(batch, hold)
        return
    # Nothing created yet (a first run, or one that died checking): start from the top.
    PartnerImport.objects.filter(pk=batch.pk).update(
        processed=0, valid=0, created=0, invalid=0, report={}
    )
    if batch.dry_run or batch.mode == ImportMode.ALL_OR_NOTHING:
        bad = _validate_pass(batch, hold)
        if batch.dry_run or bad:
            return
        PartnerImport.objects.filter(pk=batch.pk).update(
            processed=0, valid=0, report={"errors": [], "preview": []}
        )
    _create_pass(batch, hold)


def _validate_pass(batch: PartnerImport, hold: resumable.Claim) -> int:
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
        with transaction.atomic():  # a run taken over writes no report after its successor's
            resumable.keep(PartnerImport, hold, report=report)
            resumable.checkpoint(
                PartnerImport, hold, processed=len(chunk), valid=valid, invalid=len(errors)
            )
    return len(report["errors"])


def _create_pass(batch: PartnerImport, hold: resumable.Claim) -> None:
    for chunk in _chunks(_rows(batch)):
        todo = [row for row in chunk if row[0] > hold.resume_after]  # done before the restart
        if todo:
            _create_chunk(batch, hold, todo)


def _create_chunk(batch: PartnerImport, hold: resumable.Claim, todo: list[Row]) -> None:
    """Create a chunk's valid rows and record them, in one transaction: the checkpoint, last,
    commits the partners with the last row done, or (another run took over) undoes them."""
    with transaction.atomic():
        stored = PartnerImport.objects.values_list("report", flat=True).get(pk=batch.pk)
        report = {"errors": [], "preview": [], **stored}
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
        resumable.keep(PartnerImport, hold, report=report)
        resumable.checkpoint(
            PartnerImport,
            hold,
            through=todo[-1][0],
            processed=len(todo),
            created=created,
            valid=created,
            invalid=refused,
        )


def _finish(batch: PartnerImport, hold: resumable.Claim) -> None:
    """Done, dated and audited once: only the run that still holds the import finishes it."""
    with transaction.atomic():
        created = PartnerImport.objects.values_list("created", flat=True).get(pk=batch.pk)
        imported_at = timezone.now() if created else None
        if not resumable.finish(
            PartnerImport, hold, state=ImportState.DONE, imported_at=imported_at
        ):
            return
        if created:
            audit_record(
                subject=batch,
                action="imported",
                actor=batch.created_by,
                target=batch.filename,
                changes={"created": [0, created]},
            )


def _preview(number: int, partner: Partner) -> dict[str, Any]:
    return {
        "row": number,
        "name": partner.display_name,
        "kind": partner.get_kind_display(),
        "email": partner.email,
        "departement": partner.departement_id,
        "siret": partner.siret,
    }
