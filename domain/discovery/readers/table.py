"""What every inventory reader produces: one `Table` per sheet or file, read batch by batch as `Row`s.

Shared rules: header names are stripped and must be unique case-insensitively, and a table has at most
`MAX_COLUMNS` of them; an oversized cell is cut to a short prefix and reported on its row, so one pasted log
does not break the import of the rest; a row over `MAX_ROW_CHARS` refuses the file. Whatever error a parser
raises on a file (recursion, memory, codec, csv, zip, workbook, JSON) becomes one `InputFileError` sentence
(`readable`), so bad input never reaches a worker as a crash with a traceback.
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Protocol

import ijson
from python_calamine import CalamineError

from domain.discovery.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROW_CHARS, READER_MEMORY_BYTES, binary_size

_KEPT_CHARS = 200
# What parsers raise on a file they cannot read (ValueError covers codec and JSON errors).
_PARSER_ERRORS = (RecursionError, MemoryError, ValueError, csv.Error, zipfile.BadZipFile, zipfile.LargeZipFile,
                  zlib.error, EOFError, CalamineError, ijson.JSONError)


class InputFileError(ValueError):
    """The file as a whole cannot be read as an inventory table."""


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based data row (the header is row 0); blank rows are not counted
    values: dict[str, str]
    problems: tuple[str, ...] = ()


class Table(Protocol):
    """One sheet of a workbook, or one CSV/JSON file, read in constant memory."""

    path: Path
    name: str  # the sheet name for XLSX ("vInfo"), else the file name
    format: str  # "csv" | "xlsx" | "json" | "jsonl"
    encoding: str | None
    delimiter: str | None
    headers: list[str]

    def next_batch(self, size: int) -> list[Row]:
        """Up to `size` further rows; an empty list at the end."""
        ...

    def close(self) -> None: ...


@dataclass(eq=False)
class StreamTable:
    """A `Table` over a lazy row iterator; `release` frees what the iterator holds (file, sheet)."""

    path: Path
    name: str
    format: str
    encoding: str | None
    delimiter: str | None
    headers: list[str]
    _rows: Iterator[Row] = field(repr=False)
    _release: Callable[[], None] = field(repr=False)
    warnings: tuple[str, ...] = ()  # what a person should check (a blank row taken for no header)

    def next_batch(self, size: int) -> list[Row]:
        """Up to `size` further rows (an empty list at the end): for reading batch by batch in a thread."""
        with readable(self.path, self.format):
            return list(islice(self._rows, size))

    def close(self) -> None:
        self._release()


def header_names(label: str, cells: list[str]) -> list[str]:
    """Stripped header names (blank ones named `column_<n>`); duplicates, ignoring case, and more than
    `MAX_COLUMNS` are a file error."""
    if len(cells) > MAX_COLUMNS:
        raise too_many_columns(label, len(cells))
    headers = [cell.strip() or f"column_{index + 1}" for index, cell in enumerate(cells)]
    seen: set[str] = set()
    duplicates: set[str] = set()
    for header in headers:
        key = header.casefold()
        if key in seen:
            duplicates.add(header)
        seen.add(key)
    if duplicates:
        raise InputFileError(f"{label}: duplicate column header(s): {', '.join(sorted(duplicates))}")
    return headers


def guard_cells(values: dict[str, str]) -> tuple[str, ...]:
    """Cut every cell over `MAX_CELL_CHARS` to its first characters, drop NUL characters and replace lone
    surrogates (which PostgreSQL text cannot hold), in place; one problem per change."""
    problems = []
    for header, value in values.items():
        if len(value) > MAX_CELL_CHARS:
            problems.append(f"cell '{header}' is {len(value) / (1 << 20):.1f} MB, over the {binary_size(MAX_CELL_CHARS)} limit")
            values[header] = value = value[:_KEPT_CHARS] + "…"
        if "\x00" in value:
            values[header] = value = value.replace("\x00", "")
            problems.append(f"cell '{header}' held NUL characters, removed")
        if not value.isascii() and not _encodable(value):
            values[header] = storable(value)
            problems.append(f"cell '{header}' held lone UTF-16 surrogates (no characters), replaced by '?'")
    return tuple(problems)


def storable(text: str) -> str:
    """`text` without what PostgreSQL text cannot hold: NUL characters dropped, lone surrogates as '?'."""
    text = text.replace("\x00", "")
    return text if text.isascii() or _encodable(text) else text.encode("utf-8", "replace").decode("utf-8")


def _encodable(text: str) -> bool:
    """Whether `text` is valid Unicode (a JSON `\\ud800` escape gives a lone surrogate, which no database
    text can hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def too_many_columns(label: str, count: int | None = None) -> InputFileError:
    """The refusal of a table wider than `MAX_COLUMNS` (`count` None: counting stopped past the limit)."""
    found = f"{count:,} columns" if count else f"more than {MAX_COLUMNS:,} columns"
    return InputFileError(f"{label}: refused, it has {found}, over the limit of {MAX_COLUMNS:,} per table")


def too_long_row(label: str, where: str) -> InputFileError:
    return InputFileError(f"{label}: refused, {where} is longer than {binary_size(MAX_ROW_CHARS)}, the limit of one row")


def check_row(label: str, number: int, values: dict[str, str]) -> None:
    """Refuse a file whose row `number` holds more than `MAX_ROW_CHARS` of text in all."""
    if sum(map(len, values.values())) > MAX_ROW_CHARS:
        raise too_long_row(label, f"data row {number}")


@contextmanager
def readable(path: Path, kind: str = "") -> Iterator[None]:
    """Turn whatever a parser raises on `path` into one `InputFileError` sentence naming the file."""
    try:
        yield
    except InputFileError:
        raise
    except RecursionError as exc:
        raise InputFileError(f"{path.name}: refused, nested too deeply to read") from exc
    except MemoryError as exc:
        raise InputFileError(f"{path.name}: refused, reading it needs more than the reader's "
                             f"{binary_size(READER_MEMORY_BYTES)} of memory") from exc
    except _PARSER_ERRORS as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputFileError(f"{path.name}: unreadable {kind.upper() + ' ' if kind else ''}file: {detail}") from exc


def blank_rows_above(header_row: int, sheet: str | None = None) -> tuple[str, ...]:
    """The warning for a header found below blank rows (a blank header row, or blank lines above the table);
    `header_row` counts from 1."""
    if header_row == 1:
        return ()
    above = "row 1" if header_row == 2 else f"rows 1-{header_row - 1}"
    where = f" of sheet '{sheet}'" if sheet else ""
    verb = "is" if header_row == 2 else "are"
    return (f"{above}{where} {verb} blank, so row {header_row} was taken as the header row: check that it names "
            "the columns",)


def ragged_problem(fields: int, width: int) -> str:
    return f"row has {fields} fields but the header has {width}"
