"""Loading the shipped reference data (départements, legal parameters) into the database.

Called by data migrations with the historical model classes, and by tests; idempotent.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from relais.core.legal_seed import LEGAL_PARAMETERS

DEPARTEMENTS_CSV = Path(__file__).parent / "data" / "departements.csv"


def departement_rows() -> list[dict[str, str]]:
    with DEPARTEMENTS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_departements(model: Any) -> None:
    for row in departement_rows():
        model.objects.update_or_create(code=row.pop("code"), defaults=row)


def load_legal_parameters(model: Any) -> None:
    for key, label, value, unit, valid_from, source, confirmed in LEGAL_PARAMETERS:
        model.objects.get_or_create(
            key=key,
            valid_from=valid_from,
            defaults={
                "label": label,
                "value": value,
                "unit": unit,
                "source": source,
                "confirmed": confirmed,
            },
        )


def ensure_reference_data() -> None:
    """Reload the reference tables if a flush emptied them (transactional tests do)."""
    from relais.core.models import Departement, LegalParameter

    if not Departement.objects.exists():
        load_departements(Departement)
    if not LegalParameter.objects.exists():
        load_legal_parameters(LegalParameter)
