"""Importing accounts and their people from a CSV/XLSX file or a salesperson's vCard export, on
the machinery the other imports use: ``core.imports`` (reading the upload and the mapped
rows, the task's body) and ``core.tabular`` read the file row by row (a vCard file is
first turned into the same table, one row per card, by ``vobject``), ``core.resumable`` takes a
killed run up again after the last thousand rows it committed; a dry run, errors per row, the
choice between importing the valid rows and all or nothing, the progress.

Each row goes through the services (``account_create``, ``contact_create``): the leads'
normalisers and the same duplicate rules. An account already known is reused; a person already
known is not recorded twice (counted as a duplicate, not an error). A row is written whole or
not at all (its own savepoint). The importer may record, with every person of their file, that
they know them (their own address book: strength, context, visibility chosen once)."""

from __future__ import annotations

import csv
import io
from collections.abc import Generator
from datetime import datetime
from itertools import islice
from typing import Any, cast

import vobject
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core import resumable
from relais.core.errors import DomainError
from relais.core.imports import import_run, mapped_rows, upload_read
from relais.core.tabular import guess_mapping
from relais.core.uploads import check_import_size
from relais.leads.choices import LeadImportState
from relais.network import services
from relais.network.choices import ImportSource
from relais.network.models import Account, Contact, NetworkImport, NetworkImportError

BATCH = 1000
PREVIEW_ROWS = 20
# Each field the file may hold, and the headers that usually name it.
FIELDS: dict[str, tuple[str, ...]] = {
    "name": (
        "company",
        "société",
        "societe",
        "entreprise",
        "organisation",
        "organization",
        "compte",
    ),
    "siren": ("siren", "siret"),
    "sector": ("sector", "secteur", "industry", "activité"),
    "departement": ("département", "departement", "dept", "dpt"),
    "city": ("city", "ville"),
    "first_name": ("first name", "prénom", "prenom", "given name"),
    "last_name": ("last name", "nom", "family name", "surname"),
    "title": ("title", "fonction", "poste", "job title", "role"),
    "level": ("level", "niveau"),
    "email": ("email", "e-mail", "courriel", "mail"),
    "phone": ("phone", "téléphone", "telephone", "mobile", "tél"),
    "linkedin_url": ("linkedin", "linkedin url", "profil linkedin"),
}
ACCOUNT_FIELDS = ("name", "siren", "sector", "departement", "city")
VCARD_HEADERS = ["Company", "First name", "Last name", "Title", "E-mail", "Phone", "LinkedIn"]


def field_labels() -> dict[str, str]:
    return {
        "name": _("Company"),
        "siren": _("SIREN"),
        "sector": _("Sector"),
        "departement": _("Département"),
        "city": _("City"),
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "title": _("Role or title"),
        "level": _("Level"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "linkedin_url": _("LinkedIn URL"),
    }


def vcards_table(*, data: bytes) -> bytes:
    """A vCard file (one or many cards, vCard 2.1/3.0/4.0) as a CSV table, one row per card."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(VCARD_HEADERS)
    try:
        for card in vobject.readComponents(text, ignoreUnreadable=True):
            writer.writerow(_card_row(card))
    except Exception as exc:  # vobject raises its own ParseError and plain ValueErrors
        raise DomainError(
            _("The vCard file cannot be read: %(error)s") % {"error": str(exc)[:200]},
            code="unreadable",
        ) from None
    return out.getvalue().encode("utf-8")


def _card_row(card: Any) -> list[str]:
    def value(name: str) -> Any:
        found = getattr(card, name, None)
        return found.value if found is not None else ""

    name = value("n")
    first = getattr(name, "given", "") if name else ""
    last = getattr(name, "family", "") if name else ""
    if not last and value("fn"):
        parts = str(value("fn")).rsplit(" ", 1)
        first, last = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    org = value("org")
    company = org[0] if isinstance(org, list) and org else str(org or "")
    urls = [u.value for u in card.contents.get("url", [])]
    linkedin = next((u for u in urls if "linkedin.com" in u.lower()), "")
    return [
        company,
        first if isinstance(first, str) else " ".join(first),
        last if isinstance(last, str) else " ".join(last),
        str(value("title") or ""),
        str(value("email") or ""),
        str(value("tel") or ""),
        linkedin,
    ]


def import_upload(*, upload: UploadedFile, actor: User) -> NetworkImport:
    """Keep the file and read its headers; a vCard export is turned into a table first."""
    source = ImportSource.TABLE
    name = upload.name or ""
    if name.lower().endswith((".vcf", ".vcard")):
        check_import_size(upload)
        source = ImportSource.VCARD
        table = ContentFile(vcards_table(data=upload.read()), name=f"{name}.csv")
        upload = table  # type: ignore[assignment]
    read = upload_read(upload)
    return NetworkImport.objects.create(
        created_by=actor,
        source=source,
        filename=read.filename,
        file=upload,
        headers=read.headers,
        mapping=guess_mapping(read.headers, FIELDS),
        total_rows=read.total,
    )


def import_queue(
    *,
    batch: NetworkImport,
    mapping: dict[str, str],
    mode: str,
    dry_run: bool,
    relationship: dict[str, Any] | None = None,
) -> NetworkImport:
    """Record the choices and hand the file to the task worker."""
    from relais.network.tasks import run_network_import

    if not mapping.get("name") or not mapping.get("last_name"):
        raise DomainError(
            _("Map at least the company and the last name."), code="mapping_incomplete"
        )
    if relationship:
        services.relationship_clean(data=relationship)  # a bad strength is refused here, once
    with transaction.atomic():
        started = resumable.start(
            NetworkImport,
            batch.pk,
            run_network_import.enqueue,
            mapping=mapping,
            mode=mode,
            dry_run=dry_run,
            relationship=relationship or {},
            preview=[],
            processed=0,
            valid=0,
            created=0,
            duplicates=0,
            invalid=0,
        )
        if not started:
            raise DomainError(_("This import is already running."), code="running")
        NetworkImportError.objects.filter(batch=batch).delete()
    batch.refresh_from_db()
    return batch


def import_retry(*, batch: NetworkImport) -> NetworkImport:
    from relais.network.tasks import run_network_import

    if not resumable.retry(NetworkImport, batch.pk, run_network_import.enqueue):
        raise DomainError(_("Only a failed or stalled import can be retried."), code="not_stalled")
    batch.refresh_from_db()
    return batch


def requeue_stalled(now: datetime) -> str:
    from relais.network.tasks import run_network_import

    return resumable.requeue_stalled(NetworkImport, run_network_import.enqueue)


def _rows(batch: NetworkImport, after: int = 0) -> Generator[tuple[int, dict[str, str]]]:
    return mapped_rows(batch.file, batch.filename, batch.mapping, after)


def _check(data: dict[str, str]) -> dict[str, Any]:
    """Validate a row without writing: the account's and the person's fields."""
    errors: dict[str, str] = {}
    for clean, part in (
        (services.account_clean, {f: data.get(f, "") for f in ACCOUNT_FIELDS}),
        (services.contact_clean, data),
    ):
        try:
            clean(data=part)
        except DomainError as exc:
            errors.update(exc.fields)
    if errors:
        raise DomainError(" ".join(errors.values()), code="invalid", fields=errors)
    return data


def _write(batch: NetworkImport, data: dict[str, str], actor: User | None) -> bool:
    """One row: the account (reused when known), the person (False when already known), the
    importer's relationship with them. All or nothing (the caller's savepoint)."""
    account_data = {f: data.get(f, "") for f in ACCOUNT_FIELDS}
    try:
        account = services.account_create(actor=actor, data=account_data)
    except services.Duplicate as dup:
        account = cast(Account, dup.existing)
    try:
        person = services.contact_create(actor=actor, account=account, data=data)
        created = True
    except services.Duplicate as dup:
        person = cast(Contact, dup.existing)
        created = False
    if batch.relationship and actor is not None:
        services.relationship_record(owner=actor, contact=person, data=batch.relationship)
    return created


def _pass(batch: NetworkImport, hold: resumable.Claim, *, write: bool) -> int:
    """One pass over the file, a thousand rows per transaction with its checkpoint: the
    validation (``write`` false: errors and a preview only) or the creation."""
    bad_total = 0
    preview: list[dict[str, str]] = []
    actor = batch.created_by
    rows = _rows(batch, after=hold.resume_after if write else 0)
    try:
        while chunk := list(islice(rows, BATCH)):
            bad: list[NetworkImportError] = []
            good = created = duplicates = 0
            with transaction.atomic():
                for number, data in chunk:
                    try:
                        if write:
                            with transaction.atomic():
                                new = _write(batch, data, actor)
                            created += new
                            duplicates += not new
                        else:
                            _check(data)
                            if len(preview) < PREVIEW_ROWS:
                                preview.append(_preview(number, data))
                        good += 1
                    except DomainError as exc:
                        fields = exc.fields or {"file": exc.message}
                        bad.append(NetworkImportError(batch=batch, row=number, fields=fields))
                NetworkImportError.objects.bulk_create(bad)
                resumable.checkpoint(
                    NetworkImport,
                    hold,
                    through=chunk[-1][0] if write else None,
                    processed=len(chunk),
                    invalid=len(bad),
                    valid=good,
                    created=created,
                    duplicates=duplicates,
                )
            bad_total += len(bad)
    finally:
        rows.close()
    if not write:
        NetworkImport.objects.filter(pk=batch.pk).update(preview=preview)
    return bad_total


def _preview(number: int, data: dict[str, str]) -> dict[str, str]:
    person = f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()
    return {
        "row": str(number),
        "company": data.get("name", ""),
        "name": person,
        "title": data.get("title", ""),
        "email": data.get("email", ""),
    }


def run(batch_id: int) -> None:
    """The task's body: dry run, valid-only or all-or-nothing, as the importer chose."""
    import_run(
        NetworkImport,
        batch_id,
        _passes,
        done=LeadImportState.DONE,
        failed=LeadImportState.FAILED,
    )


def _passes(batch: NetworkImport, hold: resumable.Claim) -> None:
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


def _reset(batch: NetworkImport) -> None:
    NetworkImportError.objects.filter(batch=batch).delete()
    NetworkImport.objects.filter(pk=batch.pk).update(
        processed=0, valid=0, created=0, duplicates=0, invalid=0, preview=[]
    )
