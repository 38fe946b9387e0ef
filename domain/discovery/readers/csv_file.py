"""Streaming CSV reading: encoding and delimiter detection, header checks, ragged rows as row problems.

Constant memory: rows are produced lazily. This reader is on the import hot path, so the per-row
work is kept to what the checks need.

Quoting is strict RFC 4180, with one tolerance: a row whose field count differs from the header's is read
again with spaces before an opening quote skipped (`, "a, b"` as one cell, as Python's `skipinitialspace`
reads it), and that reading is kept when it gives exactly the header's width. Rows of the right width are
never re-read, so a well-formed file reads the same, leading spaces included; a row that still does not
fit keeps its ragged problem (its values are shifted against the columns) and is quarantined.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from domain.discovery.limits import MAX_CELL_CHARS, MAX_ROW_CHARS
from domain.discovery.readers.table import (
    InputFileError,
    Row,
    StreamTable,
    blank_rows_above,
    guard_cells,
    header_names,
    ragged_problem,
    too_long_row,
)

_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"
# A one-column table is an inventory only when its name says CSV (a list of host names); any other text file
# (notes.txt, a README) read as one column would be prose taken for data.
_CSV_SUFFIXES = {".csv", ".tsv", ".tab"}
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
# Oversized cells are cut per row (see guard_cells); a field cannot be longer than the longest row.
csv.field_size_limit(MAX_ROW_CHARS)


def detect_encoding(path: Path) -> str:
    """utf-16 with a BOM; utf-8 (with or without BOM) when the whole file decodes as such; else Windows-1252,
    provided no byte is one that Windows-1252 leaves undefined."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
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
            _check_cp1252(path)
            return "cp1252"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def _check_cp1252(path: Path) -> None:
    line = 1
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            if len(block.translate(None, _CP1252_UNDEFINED)) != len(block):
                at = min(i for byte in _CP1252_UNDEFINED if (i := block.find(byte)) >= 0)
                line += block.count(b"\n", 0, at)
                raise InputFileError(f"{path.name}: undecodable text on line {line}: "
                                     f"byte 0x{block[at]:02x} is neither UTF-8 nor Windows-1252")
            line += block.count(b"\n")


def open_csv(path: Path) -> StreamTable:
    """Open a CSV export, detecting encoding and delimiter and validating the header row."""
    encoding = detect_encoding(path)
    with path.open("rb") as fh:
        sample = fh.read(_SNIFF_BYTES).decode(encoding, errors="replace")  # for sniffing only
    if not sample.strip():
        raise InputFileError(f"{path.name}: the file has no header row (it is empty or blank)")
    try:
        delimiter = csv.Sniffer().sniff(_first_filled_line(sample), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    handle = path.open("r", encoding=encoding, errors="strict", newline="")
    lines = _CountedLines(path, handle)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header_row, cells = _header_cells(path, reader, lines)
        headers = header_names(path.name, cells)
    except BaseException as exc:
        handle.close()
        if isinstance(exc, (UnicodeDecodeError, csv.Error)):
            raise InputFileError(f"{path.name}: unreadable header row: {exc}") from exc
        raise
    if len(headers) == 1 and path.suffix.lower() not in _CSV_SUFFIXES:
        handle.close()
        raise InputFileError(f"{path.name}: not delimited text (no comma, semicolon, tab or pipe between columns "
                             "in its header row); export the inventory as CSV, XLSX or JSON")
    rows = _rows(path, encoding, delimiter, lines, reader, headers)
    return StreamTable(path, path.name, "csv", encoding, delimiter, headers, rows, handle.close,
                       blank_rows_above(header_row))


def _first_filled_line(sample: str) -> str:
    """The first line holding more than spaces and delimiters: the one the delimiter is judged from."""
    return next((line for line in sample.split("\n") if line.strip(" \r\t" + _DELIMITERS)), "")


class _CountedLines:
    """The lines of a text file, counting the characters handed out (a cheap per-row length for the cell guard),
    refusing NUL characters, which only binary data holds (and PostgreSQL text cannot), and a record longer than
    `MAX_ROW_CHARS` (no line is read further than that, so one endless line costs no more memory)."""

    def __init__(self, path: Path, handle: TextIO) -> None:
        self._path = path
        self._handle = handle
        self.chars = 0
        self.record: list[str] = []  # the lines of the record being read; the reader clears it after each
        self.record_start = 0  # `chars` where the record being read started

    def __iter__(self) -> Iterator[str]:
        number = 0
        while line := self._handle.readline(MAX_ROW_CHARS + 1):
            number += 1
            if "\x00" in line:
                raise InputFileError(f"{self._path.name}: binary data (NUL bytes) on line {number}, not a CSV text file")
            self.chars += len(line)
            if self.chars - self.record_start > MAX_ROW_CHARS:
                raise too_long_row(self._path.name, f"the row at line {number}")
            self.record.append(line)
            yield line

    def take_record(self) -> list[str]:
        """The lines of the record just read; the next record starts here."""
        record, self.record = self.record, []
        self.record_start = self.chars
        return record


def _header_cells(path: Path, reader: Iterator[list[str]], lines: _CountedLines) -> tuple[int, list[str]]:
    """The first non-blank row (its 1-based number among the file's rows) and its cells."""
    for number, cells in enumerate(reader, start=1):
        lines.take_record()
        if any(cell.strip() for cell in cells):
            return number, cells
    raise InputFileError(f"{path.name}: the file has no header row")


def _rows(path: Path, encoding: str, delimiter: str, lines: _CountedLines, reader: Iterator[list[str]],
          headers: list[str]) -> Iterator[Row]:
    width = len(headers)
    number = 0
    try:
        for cells in reader:
            row_chars = lines.chars - lines.record_start
            record = lines.take_record()
            if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                continue  # blank (often formatted-but-empty) rows carry nothing
            number += 1
            if len(cells) != width:
                cells = spaced_quotes_reread(record, delimiter, width) or cells
            values = dict(zip(headers, cells))
            problems: tuple[str, ...] = ()
            if len(cells) != width:
                problems = (ragged_problem(len(cells), width),)
                for header in headers[len(cells):]:
                    values[header] = ""
            if row_chars > MAX_CELL_CHARS:  # only a row this long can hold an oversized cell
                problems += guard_cells(values)
            yield Row(number, values, problems)
    except csv.Error as exc:
        raise InputFileError(f"{path.name}: unreadable CSV near data row {number + 1}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path.name}: undecodable text near data row {number + 1}: not valid {encoding} "
                             f"({exc.reason})") from exc



def spaced_quotes_reread(record: list[str], delimiter: str, width: int) -> list[str] | None:
    """The record's cells read with spaces before an opening quote skipped, when that gives `width` cells.

    None when the record has no space before a quote or the re-read does not fit the header either.
    """
    if not any(f'{delimiter} "' in line for line in record) or sum(map(len, record)) > MAX_CELL_CHARS:
        return None
    reader = csv.reader(record, delimiter=delimiter, skipinitialspace=True)
    try:
        cells = next(reader, None)
        rest = next(reader, None)  # the re-read must be one record of exactly these lines, or lines would be lost
    except csv.Error:
        return None
    return cells if cells is not None and rest is None and len(cells) == width else None
