"""XLSX workbooks through calamine: one table per non-empty sheet, every value as text.

A workbook of more than `MAX_SHEETS` sheets is refused; every sheet that gives no table (hidden, empty,
a chart) is named with the reason in `SheetTables.skipped`, so a person is told, never left to guess.
A header found below blank rows is taken with a warning on its table.

A zip-bomb guard runs before calamine opens anything: on the sizes the zip's directory declares, then on
the parts themselves, each inflated (and thrown away) with its output capped at its declared size, so a
part that lies about its size is refused too. Calamine parses a whole sheet into compact native memory
when it is loaded (it cannot stream a sheet); `iter_rows` then turns one row at a time into Python values. So at most one parsed sheet is held: `open_tables` finds each
sheet's header and, when there are several, lets each go; such a table loads its sheet again when first read.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    SheetMetadata,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from domain.discovery.limits import (
    MAX_CELL_CHARS,
    MAX_ENTRY_RATIO,
    MAX_SHEETS,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_CHECKED_FROM_BYTES,
)
from domain.discovery.readers.table import (
    InputFileError,
    Row,
    StreamTable,
    blank_rows_above,
    check_row,
    guard_cells,
    header_names,
    ragged_problem,
)


def check_zip(path: Path, max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES) -> None:
    """Refuse a corrupt zip, a zip that is not an XLSX workbook, or one that would inflate absurdly."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise InputFileError(f"{path.name}: corrupt or truncated XLSX (zip) file: {exc}") from exc
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise InputFileError(f"{path.name}: a zip archive but not an XLSX workbook (no xl/workbook.xml); "
                             "save it as .xlsx or CSV")
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed_bytes:
        raise InputFileError(f"{path.name}: refused, it would inflate to {total / (1 << 20):,.1f} MiB, over the "
                             f"{max_uncompressed_bytes / (1 << 20):,.1f} MiB limit")
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_ENTRY_RATIO:
            raise InputFileError(f"{path.name}: refused, part {entry.filename} inflates {ratio:.0f}:1 to "
                                 f"{entry.file_size / (1 << 20):.0f} MiB (a zip bomb?)")
    with path.open("rb") as handle:
        for entry in entries:
            _check_declared_size(path, handle, entry)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra field length
_CHUNK = 1 << 20


def _check_declared_size(path: Path, handle: BinaryIO, entry: zipfile.ZipInfo) -> None:
    """Inflate one part, its output capped at the size the directory declares: a part whose data holds
    more than it declares (what a parser that trusts the data would inflate) is refused."""
    if entry.compress_type == zipfile.ZIP_STORED:
        return  # stored data is exactly its compressed size, which the file holds
    if entry.compress_type != zipfile.ZIP_DEFLATED:
        raise InputFileError(f"{path.name}: part {entry.filename} uses a compression XLSX does not ({entry.compress_type})")
    handle.seek(entry.header_offset)
    header = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
    handle.seek(entry.header_offset + _LOCAL_HEADER.size + header[-2] + header[-1])
    inflate, left, produced = zlib.decompressobj(-zlib.MAX_WBITS), entry.compress_size, 0
    try:
        pending = b""
        while not inflate.eof:
            if not pending:
                if left <= 0:
                    break
                pending = handle.read(min(_CHUNK, left))
                left -= len(pending)
                if not pending:
                    break
            produced += len(inflate.decompress(pending, entry.file_size + 1 - produced))
            pending = inflate.unconsumed_tail
            if produced > entry.file_size:
                raise InputFileError(f"{path.name}: refused, part {entry.filename} holds more than the "
                                     f"{entry.file_size:,} bytes its directory declares (a zip bomb?)")
    except zlib.error as exc:
        raise InputFileError(f"{path.name}: corrupt or truncated XLSX (zip) file: part {entry.filename}: {exc}") from exc


_NOT_TABLES = {str(SheetTypeEnum.ChartSheet): "a chart", str(SheetTypeEnum.DialogSheet): "a dialog sheet",
               str(SheetTypeEnum.MacroSheet): "a macro sheet", str(SheetTypeEnum.Vba): "a macro module"}


@dataclass
class SheetTables:
    """The tables of a workbook's sheets, every other sheet with why it gives none, and every sheet's name in
    the workbook's order."""

    tables: list[StreamTable]
    skipped: dict[str, str]
    sheets: list[str]


def open_sheets(path: Path) -> SheetTables:
    """Every visible worksheet that has a header row, as a table; the other sheets with their reasons."""
    check_zip(path)
    every = _sheets(path)
    if len(every) > MAX_SHEETS:
        raise InputFileError(f"{path.name}: refused, the workbook has {len(every):,} sheets, over the limit of "
                             f"{MAX_SHEETS} per workbook")
    skipped: dict[str, str] = {}
    for meta in every:
        if meta.typ != SheetTypeEnum.WorkSheet:
            skipped[meta.name] = f"{_NOT_TABLES.get(str(meta.typ), 'not a worksheet')}, not a table"
        elif meta.visible != SheetVisibleEnum.Visible:
            skipped[meta.name] = "a hidden sheet"
    names = [meta.name for meta in every if meta.name not in skipped]
    tables = []
    for name in names:
        table = _open_sheet(path, name, keep=len(names) == 1)
        if table is None:
            skipped[name] = "an empty sheet"
        else:
            tables.append(table)
    if not tables:
        raise InputFileError(f"{path.name}: the workbook has no sheet with data")
    return SheetTables(tables, skipped, [meta.name for meta in every])


def open_sheet(path: Path, sheet: str | None = None) -> StreamTable:
    """The named worksheet (hidden ones too), or else the first visible one that has a header row."""
    check_zip(path)
    sheets = _worksheets(path)
    if sheet is None:
        for meta in sheets:
            if meta.visible == SheetVisibleEnum.Visible and (table := _open_sheet(path, meta.name, keep=True)):
                return table
        raise InputFileError(f"{path.name}: the workbook has no sheet with data")
    if sheet not in (meta.name for meta in sheets):
        raise InputFileError(f"{path.name}: no sheet named '{sheet}' (sheets: {', '.join(m.name for m in sheets)})")
    table = _open_sheet(path, sheet, keep=True)
    if table is None:
        raise InputFileError(f"{path.name} sheet '{sheet}': the sheet has no header row (it is empty)")
    return table


def cell_text(value: object) -> str:
    """A cell as text: whole numbers without ".0", other floats by repr, booleans lower-case, dates ISO 8601."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is dt.timedelta:
        return f"PT{value.total_seconds():g}S"
    if kind in (dt.datetime, dt.date, dt.time):
        return value.isoformat()
    return str(value)


def _sheets(path: Path) -> list[SheetMetadata]:
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            return list(workbook.sheets_metadata)
    except CalamineError as exc:
        raise InputFileError(f"{path.name}: unreadable XLSX workbook: {exc}") from exc


def _worksheets(path: Path) -> list[SheetMetadata]:
    return [meta for meta in _sheets(path) if meta.typ == SheetTypeEnum.WorkSheet]


def _open_sheet(path: Path, name: str, keep: bool) -> StreamTable | None:
    """The sheet as a table, or None when it has no non-blank row; `keep`: hold the parsed sheet for reading."""
    loaded = _load_sheet(path, name)
    found = _find_header(path, name, loaded)
    if found is None:
        return None
    header_index, headers = found
    table = _sheet_table(path, name, header_index, headers, loaded if keep else None)
    table.warnings = blank_rows_above(header_index + 1, name)
    return table


def _load_sheet(path: Path, name: str) -> CalamineSheet:
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            return workbook.get_sheet_by_name(name)
    except CalamineError as exc:
        raise InputFileError(f"{path.name} sheet '{name}': unreadable: {exc}") from exc


def _find_header(path: Path, name: str, sheet: CalamineSheet) -> tuple[int, list[str]] | None:
    """Index (in `iter_rows`) and names of the first non-blank row; trailing blank header cells dropped."""
    for index, cells in enumerate(sheet.iter_rows()):
        texts = [cell_text(cell).strip() for cell in cells]
        if any(texts):
            while not texts[-1]:
                texts.pop()
            return index, header_names(f"{path.name} sheet '{name}'", texts)
    return None


def _sheet_table(path: Path, name: str, header_index: int, headers: list[str],
                 sheet: CalamineSheet | None) -> StreamTable:
    held = [sheet]  # dropped once reading starts or the table closes, so the parsed sheet can be freed

    def rows() -> Iterator[Row]:
        loaded = held.pop()
        if loaded is None:
            loaded = _load_sheet(path, name)
        yield from _rows(f"{path.name} sheet '{name}'", islice(loaded.iter_rows(), header_index + 1, None), headers)

    def release() -> None:
        held.clear()
        generator.close()

    generator = rows()
    return StreamTable(path, name, "xlsx", None, None, headers, generator, release)


def _rows(label: str, sheet_rows: Iterator[list[object]], headers: list[str]) -> Iterator[Row]:
    width = len(headers)
    number = 0
    for cells in sheet_rows:
        texts = [cell_text(cell) for cell in cells]
        filled = len(texts)
        while filled and not texts[filled - 1].strip():
            filled -= 1
        if not filled:
            continue  # blank (often formatted-but-empty) rows carry nothing
        number += 1
        values = dict(zip(headers, texts))
        for header in headers[len(texts):]:
            values[header] = ""
        problems = (ragged_problem(filled, width),) if filled > width else ()
        check_row(label, number, values)
        if max(map(len, texts)) > MAX_CELL_CHARS:
            problems += guard_cells(values)
        yield Row(number, values, problems)
