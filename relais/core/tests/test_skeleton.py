"""Statuses and kinds live in each app's ``choices.py``, not in its models (the house layout):
one place to find them, importable without the models."""

from __future__ import annotations

import ast
from pathlib import Path

import relais

ROOT = Path(relais.__file__).parent
CHOICES = {"TextChoices", "IntegerChoices", "Choices"}


def _models_modules() -> list[Path]:
    return sorted([*ROOT.glob("*/models.py"), *ROOT.glob("*/models/*.py")])


def _choices_classes(source: str) -> list[tuple[int, str]]:
    """Every class (nested ones too) built on a Django choices class, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            bases = {
                b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases
            }
            if bases & CHOICES:
                found.append((node.lineno, node.name))
    return sorted(found)


def test_no_models_module_defines_a_choices_class():
    misplaced = [
        f"{path.relative_to(ROOT.parent)}:{line} {name}: move it to the app's choices.py"
        for path in _models_modules()
        for line, name in _choices_classes(path.read_text(encoding="utf-8"))
    ]
    assert misplaced == []


def test_the_check_sees_a_status_nested_in_a_model():
    source = (
        "class Invoice(models.Model):\n"
        "    class Status(models.TextChoices):\n"
        "        OPEN = 'open'\n"
        "class Kind(TextChoices):\n"
        "    A = 'a'\n"
    )
    assert _choices_classes(source) == [(2, "Status"), (4, "Kind")]
