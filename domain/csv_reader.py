"""Streaming CSV reading of client inventory exports: encoding, delimiter, header checks.

Constant memory: rows are produced lazily in batches. File-level problems (binary data, no header,
duplicate headers) raise `InputFileError` with one clear sentence; row-level problems (a ragged row)
are reported per row so the row can be quarantined while the rest imports.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"
# Cells larger than this are kept whole (and judged by cleansing); csv's default is 128 KiB.
csv.field_size_limit(64 * 1024 * 1024)


class InputFileError(ValueError):
    """The file as a whole cannot be read as an inventory table."""


@dataclass(frozen=True)
class CsvRow:
    number: int  # 1-based data row (the header is row 0)
    values: dict[str, str]
    problems: tuple[str, ...] = ()


@dataclass
class CsvTable:
    path: Path
    encoding: str
    delimiter: str
    headers: list[str]
    _reader: Iterator[list[str]] = field(repr=False)
    _handle: io.TextIOBase = field(repr=False)
    _next_number: int = 1

    def next_batch(self, size: int) -> list[CsvRow]:
        """Up to `size` further rows (an empty list at the end): for reading batch by batch in a thread."""
        batch: list[CsvRow] = []
        for row in self._rows():
            batch.append(row)
            if len(batch) >= size:
                break
        return batch

    def _rows(self) -> Iterator[CsvRow]:
        width = len(self.headers)
        try:
            for cells in self._reader:
                if not any(cell.strip() for cell in cells):
                    continue  # blank (often formatted-but-empty) rows carry nothing
                number = self._next_number
                self._next_number += 1
                problems: tuple[str, ...] = ()
                if len(cells) != width:
                    problems = (f"row has {len(cells)} fields but the header has {width}",)
                values = dict(zip(self.headers, cells[:width]))
                for header in self.headers[len(cells):]:
                    values[header] = ""
                yield CsvRow(number, values, problems)
        except csv.Error as exc:
            raise InputFileError(f"{self.path.name}: unreadable CSV near data row {self._next_number}: {exc}") from exc

    def close(self) -> None:
        self._handle.close()


def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) when the whole file decodes as such, else Windows-1252."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
        if b"\x00" in head:
            raise InputFileError(f"{path.name}: binary data (NUL bytes), not a CSV text file")
        decoder = codecs.getincrementaldecoder("utf-8")()
        block = head
        try:
            while block:
                decoder.decode(block)
                block = fh.read(1 << 20)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def open_csv(path: Path) -> CsvTable:
    """Open a CSV export, detecting encoding and delimiter and validating the header row."""
    encoding = detect_encoding(path)
    handle = path.open("r", encoding=encoding, errors="strict", newline="")
    try:
        sample = handle.read(_SNIFF_BYTES)
        if not sample.strip():
            raise InputFileError(f"{path.name}: the file has no header row (it is empty or blank)")
        handle.seek(0)
        try:
            delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=_DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(handle, delimiter=delimiter)
        headers = _read_headers(path, reader)
    except BaseException:
        handle.close()
        raise
    return CsvTable(path, encoding, delimiter, headers, reader, handle)


def _read_headers(path: Path, reader: Iterator[list[str]]) -> list[str]:
    for cells in reader:
        if any(cell.strip() for cell in cells):
            break
    else:
        raise InputFileError(f"{path.name}: the file has no header row")
    headers = [cell.strip() or f"column_{index + 1}" for index, cell in enumerate(cells)]
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for header in headers:
        key = header.casefold()
        if key in seen:
            duplicates.append(header)
        seen[key] = header
    if duplicates:
        raise InputFileError(f"{path.name}: duplicate column header(s): {', '.join(sorted(set(duplicates)))}")
    return headers
