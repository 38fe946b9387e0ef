"""Inventory file readers with one interface: `open_tables` / `open_table` give `Table`s of text `Row`s.

The format is chosen by content, not by extension: a zip is an XLSX workbook, text starting with `[`
or `{` is JSON or JSON Lines, other text is CSV. File-level problems raise `InputFileError` with one
sentence naming the file (whatever the parser raised: `readable`); row-level problems travel on the `Row`
so it can be quarantined alone. The bounds are in `domain.discovery.limits`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from domain.discovery.limits import MAX_CELL_CHARS
from domain.discovery.readers.csv_file import open_csv
from domain.discovery.readers.json_records import is_json_lines, open_json, open_json_lines
from domain.discovery.readers.table import InputFileError, Row, Table, readable
from domain.discovery.readers.xlsx_workbook import open_sheet, open_sheets

__all__ = ["MAX_CELL_CHARS", "FileTables", "InputFileError", "Row", "Table", "detect_format", "open_csv",
           "open_file", "open_table", "open_tables"]

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
_JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}


def detect_format(path: Path) -> str:
    """"csv", "xlsx", "json" or "jsonl", judged from the first bytes (and `.jsonl`/`.ndjson` names)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise InputFileError(f"{path.name}: the file is empty")
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith(_OLE2_MAGIC):
        raise InputFileError(f"{path.name}: an old binary Excel (.xls) or password-protected workbook, which cannot "
                             "be read; save it as .xlsx (without a password) or CSV and import that")
    first = head.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    if first == b"[":
        return "json"
    if first == b"{":
        return "jsonl" if path.suffix.lower() in _JSON_LINES_SUFFIXES or is_json_lines(path) else "json"
    return "csv"


@dataclass
class FileTables:
    """The tables of one file, the sheets of a workbook that give none (each with why), what a person should
    check (a header taken below blank rows), and the names of its tables or sheets in the file's order."""

    tables: list[Table]
    skipped: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)


def open_file(path: Path) -> FileTables:
    """Every non-empty visible sheet of an XLSX workbook (the others listed as skipped); the one table of any
    other file."""
    with readable(path):
        kind = detect_format(path)
    with readable(path, kind):
        if kind == "xlsx":
            sheets = open_sheets(path)
            tables, skipped, order = sheets.tables, sheets.skipped, sheets.sheets
        else:
            tables, skipped, order = [_open_file(path, kind)], {}, [path.name]
    return FileTables(list(tables), skipped, [warning for table in tables for warning in table.warnings], order)


def open_tables(path: Path) -> list[Table]:
    """The tables of `open_file`."""
    return open_file(path).tables


def open_table(path: Path, sheet: str | None = None) -> Table:
    """One table: the named sheet (or the first non-empty one) of a workbook, or the whole file."""
    with readable(path):
        kind = detect_format(path)
    with readable(path, kind):
        if kind == "xlsx":
            return open_sheet(path, sheet)
        if sheet is not None:
            raise InputFileError(f"{path.name}: a {kind.upper()} file has no sheets (asked for sheet '{sheet}')")
        return _open_file(path, kind)


def _open_file(path: Path, kind: str) -> Table:
    return {"json": open_json, "jsonl": open_json_lines, "csv": open_csv}[kind](path)
