"""Starting data of the leads app: the product categories."""

from __future__ import annotations

from typing import Any

CATEGORIES = [
    ("renovation", "Rénovation énergétique"),
    ("photovoltaique", "Photovoltaïque"),
    ("pompe-a-chaleur", "Pompe à chaleur"),
    ("menuiseries", "Menuiseries"),
]


def load(category: Any) -> None:
    for code, name in CATEGORIES:
        category.objects.get_or_create(code=code, defaults={"name": name})


def ensure_seed() -> None:
    from relais.leads.models import ProductCategory

    if not ProductCategory.objects.exists():
        load(ProductCategory)
