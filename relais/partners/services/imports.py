"""Importing partners from CSV/XLSX: column mapping, dry run, per-row report, two modes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.forms import field_errors
from relais.core.tabular import guess_mapping as tabular_guess
from relais.core.tabular import plain as _plain
from relais.core.tabular import read_table
from relais.partners.choices import LegalForm, PartnerKind, TaxRegime
from relais.partners.models import ImportMode, Partner, PartnerImport
from relais.partners.services.records import partner_create

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


def guess_mapping(headers: list[str]) -> dict[str, str]:
    return tabular_guess(headers, {field: aliases for field, (_label, aliases) in FIELDS.items()})


def import_upload(*, upload: UploadedFile, actor: Any) -> PartnerImport:
    """Keep the file and read its header row (a broken or empty file is refused here)."""
    table = read_table(upload, upload.name or "")
    upload.seek(0)
    return PartnerImport.objects.create(
        created_by=actor, filename=upload.name or "", file=upload,
        headers=table.headers, mapping=guess_mapping(table.headers),
    )  # fmt: skip


def _choice(field: str, value: str) -> str:
    """Accept the code or the label, in French or English, any case."""
    wanted = _plain(value)
    for code, label in CHOICES[field].choices:
        if wanted in {_plain(str(code)), _plain(str(label))}:
            return str(code)
    return value  # left as is: the service names it as not a valid choice


def _rows(
    batch: PartnerImport, mapping: dict[str, str]
) -> Iterator[tuple[int, dict[str, Any], list[str]]]:
    missing = [str(FIELDS[f][0]) for f in REQUIRED if not mapping.get(f)]
    if missing:
        raise DomainError(
            _("Map a column to every required field: %(fields)s.") % {"fields": ", ".join(missing)},
            code="mapping_incomplete",
        )
    with batch.file.open("rb") as handle:
        table = read_table(handle, batch.filename)
        index = {h: i for i, h in enumerate(table.headers)}
        for number, row in enumerate(table.rows, start=2):  # row 1 holds the headers
            data: dict[str, Any] = {}
            for field, header in mapping.items():
                if header in index and index[header] < len(row):
                    value = row[index[header]]
                    data[field] = _choice(field, value) if field in CHOICES and value else value
            served = [
                c
                for c in data.pop("served_departements", "").replace(";", ",").split(",")
                if c.strip()
            ]
            yield number, data, served


def import_run(
    *, batch: PartnerImport, mapping: dict[str, str], mode: str, dry_run: bool, actor: Any
) -> dict[str, Any]:
    """Validate every row; in a dry run or a failed all-or-nothing import, write nothing."""
    mode = ImportMode(mode)
    report: dict[str, Any] = {
        "total": 0,
        "valid": 0,
        "created": 0,
        "errors": [],
        "preview": [],
        "dry_run": dry_run,
    }
    with transaction.atomic():
        for number, data, served in _rows(batch, mapping):
            report["total"] += 1
            try:
                with transaction.atomic():  # a savepoint per row: a bad row leaves no trace
                    partner, _warnings = partner_create(
                        data=data, served_departements=served, actor=actor
                    )
            except ValidationError as exc:
                report["errors"].append({"row": number, "fields": field_errors(exc)})
                continue
            report["valid"] += 1
            if len(report["preview"]) < PREVIEW_ROWS:
                report["preview"].append(_preview(number, partner))
        failed_whole = mode == ImportMode.ALL_OR_NOTHING and report["errors"]
        if dry_run or failed_whole:
            transaction.set_rollback(True)
        else:
            report["created"] = report["valid"]
    batch.mapping, batch.mode, batch.report = mapping, mode, report
    if report["created"]:
        batch.imported_at = timezone.now()
    batch.save()
    if report["created"]:
        audit_record(subject=batch, action="imported", actor=actor, target=batch.filename,
                     changes={"created": [0, report["created"]]})  # fmt: skip
    return report


def _preview(number: int, partner: Partner) -> dict[str, Any]:
    return {
        "row": number, "name": partner.display_name, "kind": partner.get_kind_display(),
        "email": partner.email, "departement": partner.departement_id, "siret": partner.siret,
    }  # fmt: skip
