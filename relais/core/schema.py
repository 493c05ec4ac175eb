"""Migration operations written by hand where Django's own would cost too much on large tables."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def drop_indexes(
    table: str, indexes: dict[str, str], *, postgresql: dict[str, str] | None = None
) -> Any:
    """Drop indexes in place; re-create them on the way back. ``indexes`` and ``postgresql`` map
    each index's name to its column list (``postgresql``: the ones only that database has, like
    the ``varchar_pattern_ops`` index of a text foreign key).

    For a foreign key that now has ``db_index=False`` because it leads a composite index: Django's
    ``AlterField`` re-creates the whole table on SQLite and re-checks every row's key on
    PostgreSQL, where dropping the index is all that changes."""

    def drop(apps: Any, schema_editor: Any) -> None:
        for name in [*indexes, *(postgresql or {})]:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def create(apps: Any, schema_editor: Any) -> None:
        wanted = dict(indexes)
        if schema_editor.connection.vendor == "postgresql":
            wanted.update(postgresql or {})
        for name, columns in wanted.items():
            schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" ({columns})')

    return migrations.RunPython(drop, create)
