"""Reading and writing CSV/XLSX tables, row by row, in constant memory.

CSV: UTF-8 (with or without BOM) or Windows-1252, comma or semicolon (French Excel) sniffed.
XLSX: the first sheet, read-only. Writers stream: a CSV export never holds the whole list.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.errors import DomainError
from relais.core.formatting import export_decimal

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
    """The file's header row and its rows. A file that is not what its name says, or that
    breaks while its rows are read, raises a DomainError naming the file (and the line)."""
    suffix = _suffix(filename)
    if suffix in CSV_TYPES:
        return _read_csv(handle, filename)[0]
    if suffix in XLSX_TYPES:
        return _read_xlsx(handle, filename)
    raise DomainError(
        _("File %(name)s: only CSV and XLSX files can be imported.") % {"name": filename},
        code="file_type",
    )


_HEAD = 64 * 1024


def _encoding(head: bytes, complete: bool) -> str | None:
    """The encoding the file's first bytes read in, or None when they read in neither."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text": its NUL bytes are text
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            # Incremental: the head may end in the middle of a UTF-8 character.
            codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _decode(handle: IO[bytes], name: str) -> tuple[io.TextIOWrapper, str]:
    head = handle.read(_HEAD + 1)
    handle.seek(0)
    encoding = _encoding(head[:_HEAD], complete=len(head) <= _HEAD)
    if encoding != "utf-16" and b"\x00" in head[:_HEAD]:
        # An image, an archive, a PDF, an XLSX named .csv...: no text has NUL bytes.
        raise DomainError(
            _("File %(name)s: this is not a text (CSV) file.") % {"name": name}, code="not_text"
        )
    if encoding is None:  # text with bytes neither encoding has: say where, as for later lines
        line = max(_undecodable_line(handle, "utf-8"), _undecodable_line(handle, "cp1252"))
        raise _not_decodable(name, line)
    return io.TextIOWrapper(handle, encoding=encoding, newline=""), encoding


def _not_decodable(name: str, line: int) -> DomainError:
    message = _("File %(name)s, line %(line)s: the text is neither UTF-8 nor Windows-1252.")
    return DomainError(message % {"name": name, "line": line}, code="bad_encoding")


def _undecodable_line(handle: IO[bytes], encoding: str) -> int:
    """The line holding the first bytes that do not decode; only once reading has failed."""
    handle.seek(0)
    if encoding == "utf-16":  # a decoder started half-way needs the byte order
        encoding = "utf-16-le" if handle.read(2) == codecs.BOM_UTF16_LE else "utf-16-be"
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # a BOM holds no newline
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    for chunk in iter(lambda: handle.read(_HEAD), b""):
        pending = decoder.getstate()[0]  # the start of a character cut by the last chunk
        try:
            line += decoder.decode(chunk).count("\n")
        except UnicodeDecodeError as exc:
            return line + (pending + chunk)[: exc.start].decode(encoding).count("\n")
    return line


def _unreadable(
    name: str, line: int, exc: Exception, handle: IO[bytes], encoding: str
) -> DomainError:
    """What went wrong at ``line``, as a DomainError the import shows."""
    place = {"name": name, "line": line}
    if isinstance(exc, UnicodeDecodeError):
        return _not_decodable(name, _undecodable_line(handle, encoding))
    if "field larger than field limit" in str(exc):
        message = _("File %(name)s, line %(line)s: a cell is longer than %(limit)s characters.")
        return DomainError(
            message % {**place, "limit": csv.field_size_limit()}, code="cell_too_long"
        )
    message = _("File %(name)s, line %(line)s: the CSV cannot be read (%(error)s).")
    return DomainError(message % {**place, "error": exc}, code="bad_csv")


def _read_csv(handle: IO[bytes], name: str) -> tuple[Table, io.TextIOWrapper]:
    text, encoding = _decode(handle, name)
    try:
        sample = text.read(16 * 1024)
        text.seek(0)
        # Whole lines only: a long cell cut half-way would make any delimiter look likely.
        sample = sample[: sample.rfind("\n") + 1] or sample
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(text, dialect)
        headers = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _unreadable(name, 1, exc, handle, encoding) from None
    if not headers:
        raise DomainError(_("The file is empty: no header row."), code="empty_file")

    def rows() -> Iterator[list[str]]:
        line = reader.line_num + 1  # where the next row starts (a quoted cell spans lines)
        try:
            for row in reader:
                yield [c.strip() for c in row]
                line = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _unreadable(name, line, exc, handle, encoding) from None

    return Table([h.strip() for h in headers], rows()), text


def _bad_xlsx(name: str) -> DomainError:
    return DomainError(
        _("File %(name)s: this is not an XLSX workbook, or it is damaged.") % {"name": name},
        code="bad_xlsx",
    )


def _read_xlsx(handle: IO[bytes], name: str) -> Table:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(handle, read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many types
        raise _bad_xlsx(name) from exc
    if not headers:
        raise DomainError(_("The file is empty: no header row."), code="empty_file")

    def cells(values: Sequence[Any]) -> list[str]:
        return ["" if v is None else str(v).strip() for v in values]

    def data() -> Iterator[list[str]]:
        number = 1
        try:
            for values in rows:
                number += 1
                if any(v not in (None, "") for v in values):
                    yield cells(values)
        except Exception as exc:  # the sheet's XML or its zip entry breaks half-way
            message = _(
                "File %(name)s, row %(row)s: the sheet is damaged and cannot be read from there."
            )
            raise DomainError(message % {"name": name, "row": number + 1}, code="bad_xlsx") from exc

    return Table(cells(headers), data())


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
    becomes the text '-12). A Decimal is written to the cent, as ``export_decimal`` says (a SUM
    on SQLite gives ``2400.01000000000``)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return export_decimal(value)
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
    if isinstance(value, datetime) and timezone.is_aware(value):
        # A spreadsheet has no time zones: the time as read in Paris (the display rule).
        return timezone.make_naive(timezone.localtime(value))
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


MONEY_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = "0.0%"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One sheet of a workbook: ``formats`` gives a column (by index) its number format, so a
    spreadsheet shows an amount in € or a rate in % while the cell stays a number."""

    title: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    formats: Mapping[int, str] = dataclass_field(default_factory=dict)


_SHEET_UNSAFE = re.compile(r"[\\/*?:\[\]]")


def xlsx_write(target: IO[bytes], sheets: Iterable[Sheet]) -> None:
    """Write a workbook into ``target`` in openpyxl's write-only mode: each row goes to the
    sheet's temporary file as it comes, so memory stays flat whatever the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    seen: set[str] = set()
    for sheet in sheets:
        title = _SHEET_UNSAFE.sub(" ", str(sheet.title))[:31] or "Sheet"
        while title.lower() in seen:  # titles are unique, whatever their case
            title = f"{title[:28]} {len(seen)}"
        seen.add(title.lower())
        page = workbook.create_sheet(title)
        page.append([_xlsx_cell(v) for v in sheet.headers])
        formats = sheet.formats
        for row in sheet.rows:
            cells: list[Any] = []
            for i, value in enumerate(row):
                value = _xlsx_cell(value)
                if i in formats and isinstance(value, int | float | Decimal):
                    cell = WriteOnlyCell(page, value=value)
                    cell.number_format = formats[i]
                    value = cell
                cells.append(value)
            page.append(cells)
    workbook.save(target)


def xlsx_response(
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    title: str,
    formats: Mapping[int, str] | None = None,
) -> FileResponse:
    """A streamed XLSX download: written row by row into a temporary file (a zip cannot be
    sent before it is finished), then sent from it in chunks; the file goes when it is sent."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    xlsx_write(handle, [Sheet(title, headers, rows, formats or {})])
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def export_response(
    fmt: str,
    name: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    formats: Mapping[int, str] | None = None,
) -> StreamingHttpResponse | FileResponse:
    """A list's export as ``fmt`` asks ("xlsx", else CSV), both streamed: ``name`` without
    its extension, also the sheet's title."""
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", headers, rows, name, formats)
    return csv_response(f"{name}.csv", headers, rows)


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
    """Data rows in a file, without keeping it in memory: the sheet's size for XLSX; for CSV
    the rows read as the import will read them, so that a file that would break half-way
    (a cell too long, bytes that are not text) is refused here, before any row is written
    (about 2 s a million rows)."""
    if _suffix(filename) in XLSX_TYPES:
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(handle, read_only=True).worksheets[0]
        except Exception as exc:  # as in _read_xlsx
            raise _bad_xlsx(filename) from exc
        return max((sheet.max_row or 1) - 1, 0)
    table, text = _read_csv(handle, filename)
    try:
        return sum(1 for _row in table.rows)
    finally:
        text.detach()  # the caller's file stays open


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
