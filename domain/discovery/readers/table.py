"""What every inventory reader produces: one `Table` per sheet or file, read batch by batch as `Row`s.

Shared rules: header names are stripped and must be unique case-insensitively; an oversized cell is cut
to a short prefix and reported on its row, so one pasted log does not break the import of the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Protocol

MAX_CELL_CHARS = 1 << 20  # 1 MiB of text
_KEPT_CHARS = 200


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

    def next_batch(self, size: int) -> list[Row]:
        """Up to `size` further rows (an empty list at the end): for reading batch by batch in a thread."""
        return list(islice(self._rows, size))

    def close(self) -> None:
        self._release()


def header_names(label: str, cells: list[str]) -> list[str]:
    """Stripped header names (blank ones named `column_<n>`); duplicates, ignoring case, are a file error."""
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
    """Cut every cell over `MAX_CELL_CHARS` to its first characters and drop NUL characters (which PostgreSQL
    text cannot hold), in place; one problem per changed cell."""
    problems = []
    for header, value in values.items():
        if len(value) > MAX_CELL_CHARS:
            problems.append(f"cell '{header}' is {len(value) / (1 << 20):.1f} MB, over the 1 MiB limit")
            values[header] = value = value[:_KEPT_CHARS] + "…"
        if "\x00" in value:
            values[header] = value.replace("\x00", "")
            problems.append(f"cell '{header}' held NUL characters, removed")
    return tuple(problems)


def ragged_problem(fields: int, width: int) -> str:
    return f"row has {fields} fields but the header has {width}"
