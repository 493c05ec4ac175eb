"""Reading and writing CSV/XLSX tables, row by row, in constant memory.

CSV: UTF-8 (with or without BOM) or Windows-1252, comma or semicolon (French Excel) sniffed.
XLSX: the first sheet, read-only. Writers stream: a CSV export never holds the whole list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.http import StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.errors import DomainError

CSV_TYPES = {".csv", ".txt"}
XLSX_TYPES = {".xlsx"}


@dataclass
class Table:
    """A header row and an iterator over the data rows (each a list of strings)."""

    headers: list[str]
    rows: Iterator[list[str]]


def _suffix(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def read_table(handle: IO[bytes], filename: str) -> Table:
    suffix = _suffix(filename)
    if suffix in CSV_TYPES:
        return _read_csv(handle)
    if suffix in XLSX_TYPES:
        return _read_xlsx(handle)
    raise DomainError(
        _("File %(name)s: only CSV and XLSX files can be imported.") % {"name": filename},
        code="file_type",
    )


def _decode(handle: IO[bytes]) -> io.TextIOWrapper:
    head = handle.read(64 * 1024)
    handle.seek(0)
    try:
        head.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    return io.TextIOWrapper(handle, encoding=encoding, newline="")


def _read_csv(handle: IO[bytes]) -> Table:
    text = _decode(handle)
    sample = text.read(16 * 1024)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text, dialect)
    headers = next(reader, None)
    if not headers:
        raise DomainError(_("The file is empty: no header row."), code="empty_file")
    return Table([h.strip() for h in headers], ([c.strip() for c in row] for row in reader))


def _read_xlsx(handle: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(handle, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise DomainError(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}, code="bad_xlsx"
        ) from exc
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows, None)
    if not headers:
        raise DomainError(_("The file is empty: no header row."), code="empty_file")

    def cells(values: Sequence[Any]) -> list[str]:
        return ["" if v is None else str(v).strip() for v in values]

    return Table(cells(headers), (cells(r) for r in rows if any(v not in (None, "") for v in r)))


class _Echo:
    def write(self, value: str) -> str:
        return value


# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): = + - @, and a tab
# or a carriage return, which some spreadsheets skip before reading the rest as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses the whole workbook for one).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(value: Any) -> Any:
    """A value safe to hand a spreadsheet: text that would start a formula gets OWASP's leading
    quote; numbers and dates are left as they are (-12.50 stays a number, "-12" typed by a user
    becomes the text '-12)."""
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_stream(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV lines for a StreamingHttpResponse: BOM and semicolons, as French Excel expects."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([_cell(v) for v in headers])
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def _xlsx_cell(value: Any) -> Any:
    value = _cell(value)
    return _XLSX_ILLEGAL.sub("", value) if isinstance(value, str) else value


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """An XLSX workbook written in openpyxl's write-only mode (rows are not kept in memory).

    Text goes in as text: after ``_cell`` none starts with "=", the only thing openpyxl would
    store as a formula."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_xlsx_cell(v) for v in headers])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain(text: str) -> str:
    """A header or a label without accents, case, dashes or underscores, for matching."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def guess_mapping(headers: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """For each field, the first header that matches its name or one of its aliases."""
    by_plain = {plain(h): h for h in headers}
    mapping = {}
    for field, names in aliases.items():
        for name in (field.replace("_", " "), *names):
            if plain(name) in by_plain:
                mapping[field] = by_plain[plain(name)]
                break
    return mapping


def count_rows(handle: IO[bytes], filename: str) -> int:
    """Data rows in a file, without loading it: newlines for CSV, the sheet's size for XLSX."""
    if _suffix(filename) in XLSX_TYPES:
        from openpyxl import load_workbook

        sheet = load_workbook(handle, read_only=True).worksheets[0]
        return max((sheet.max_row or 1) - 1, 0)
    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


def csv_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV download: rows are read as the client receives them, never all at once."""
    response = StreamingHttpResponse(
        csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


ERROR_REPORT_HEADERS = (gettext_lazy("row"), gettext_lazy("field"), gettext_lazy("error"))
