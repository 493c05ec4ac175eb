"""What the file imports (leads, customers) share: the upload's header row and row count, each
data row read by the manager's column mapping, and the task's body that takes an import over
(``core.resumable``), runs its passes and records how it ended."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile

from relais.core import resumable
from relais.core.tabular import Table, count_rows, read_table
from relais.core.uploads import check_import_size

Row = tuple[int, dict[str, str]]


@dataclass(frozen=True)
class Upload:
    filename: str
    headers: list[str]
    total: int
    # The table read for the headers: a CSV's text wrapper, once collected, would close the
    # upload, so it lives as long as the caller keeps this (until the file is saved).
    table: Table = field(repr=False)


def upload_read(upload: UploadedFile) -> Upload:
    """The file's name, header row and number of data rows (a file too large, broken or empty
    is refused here, before anything is kept); the upload is rewound for saving."""
    check_import_size(upload)
    name = upload.name or ""
    table = read_table(upload, name)
    headers = list(table.headers)
    upload.seek(0)
    total = count_rows(upload, name)
    upload.seek(0)
    return Upload(name, headers, total, table)


def mapped_rows(
    file: FieldFile, filename: str, mapping: dict[str, str], after: int = 0
) -> Generator[Row]:
    """The file's rows with their line numbers (row 1 holds the headers), from the one after
    ``after``, each as {field: value} by the mapping (field → header); a short row's missing
    cells are empty."""
    with file.open("rb") as handle:
        table = read_table(handle, filename)
        index = {h: i for i, h in enumerate(table.headers)}
        columns = {field: index[h] for field, h in mapping.items() if h in index}
        for number, row in enumerate(table.rows, start=2):
            if number > after:
                yield number, {f: row[i] if i < len(row) else "" for f, i in columns.items()}


def import_run(
    model: type[resumable.Resumable],
    batch_id: int,
    passes: Callable[[Any, resumable.Claim], None],
    *,
    done: str,
    failed: str,
) -> None:
    """An import task's body: take the import over (``resumable.claim``; a task for an import
    that is finished, or alive in another worker, does nothing), run its passes, and mark it
    done, or failed with the reason the manager sees (a later run that took over finishes it)."""
    hold = resumable.claim(model, batch_id)
    if hold is None:
        return
    batch = model._default_manager.get(pk=batch_id)
    try:
        passes(batch, hold)
    except resumable.Superseded:
        return
    except Exception as exc:
        resumable.finish(model, hold, state=failed, failure=str(exc)[:2000])
        raise
    resumable.finish(model, hold, state=done)
