"""JSON and JSON Lines inventories: records (objects) flattened into rows of text.

A JSON file is an array of objects, or an object holding exactly one array of objects
(`{"servers": [...]}`); it is streamed with ijson. JSON Lines holds one object per line. Both are read
twice: a first pass collects the union of keys (the headers, in first-seen order), the second yields
the rows, so memory stays constant. Nested objects become dotted keys (`os.name`), arrays of scalars
are joined with "; ", other arrays are kept as compact JSON.

Bounds (`domain.discovery.limits`), checked before the work they bound: a JSON file is refused when a run of
bytes without a quote is longer than `MAX_ROW_CHARS` (a value the parser would read in quadratic time), or
when it nests deeper than `MAX_JSON_DEPTH` (counted over the parser's events, before any value is built); a
JSON Lines line is read no further than `MAX_ROW_CHARS`, and quarantined unread when too deep (checked before
`json.loads` recurses into it); the union of keys stops at `MAX_COLUMNS`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from itertools import accumulate, repeat
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

import ijson

from domain.discovery.limits import MAX_COLUMNS, MAX_JSON_DEPTH, MAX_ROW_CHARS
from domain.discovery.readers.table import (
    InputFileError,
    Row,
    StreamTable,
    check_row,
    guard_cells,
    header_names,
    storable,
    too_long_row,
    too_many_columns,
)

_BOM = b"\xef\xbb\xbf"
# ijson's parser re-reads a value that spans reads from its start: a value of n bytes costs n^2 / _BUFFER.
_BUFFER = 1 << 20
_DEPTH_STEP = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}


class TooDeepLine(ValueError):
    """A JSON Lines line nested beyond `MAX_JSON_DEPTH`: its row is quarantined, unread."""


def too_deep(stream: BinaryIO, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON in `stream` nests arrays and objects more than `limit` deep, read in linear time and
    constant memory (the parser's events are counted in C iterators; nothing is built). Malformed JSON is
    left to the reader that follows, which says where: scanned up to the error, it is not too deep."""
    kinds = map(itemgetter(0), ijson.basic_parse(stream, use_float=False, buf_size=_BUFFER))
    try:
        return next(filter(limit.__lt__, accumulate(map(_DEPTH_STEP.get, kinds, repeat(0)))), None) is not None
    except ijson.JSONError:
        return False


def _line_too_deep(line: bytes) -> bool:
    """`too_deep` for one line; a line with fewer brackets than the limit is not scanned."""
    return line.count(b"[") + line.count(b"{") > MAX_JSON_DEPTH and too_deep(io.BytesIO(line))


def longest_unquoted(stream: BinaryIO, limit: int = MAX_ROW_CHARS) -> bool:
    """Whether more than `limit` bytes follow each other without a `"`: where a JSON file holds a string (or
    a number, or blanks) longer than a row may be, which its parser would take quadratic time to read. Linear,
    one block of `_BUFFER` bytes at a time; `limit` is at least a block."""
    run = 0
    while block := stream.read(_BUFFER):
        first = block.find(b'"')
        if first < 0:
            run += len(block)
        else:
            run, last = run + first, block.rfind(b'"')
            if run > limit:
                return True
            run = len(block) - last - 1  # gaps inside a block are shorter than a block, so than the limit
        if run > limit:
            return True
    return False


def _refuse_unbounded(path: Path) -> None:
    """Refuse a JSON file with a value longer than a row may be, or nested deeper than `MAX_JSON_DEPTH`."""
    with path.open("rb") as fh:
        if longest_unquoted(fh):
            raise too_long_row(path.name, "a value")
        fh.seek(0)
        _skip_bom(fh)
        if too_deep(fh):
            raise InputFileError(f"{path.name}: refused, its JSON nests arrays or objects more than "
                                 f"{MAX_JSON_DEPTH} levels deep (the limit)")


def flatten(record: dict, into: dict[str, str] | None = None, prefix: str = "") -> dict[str, str]:
    """One level of text values for a nested record: `{"os": {"name": "x"}}` -> `{"os.name": "x"}`."""
    flat = {} if into is None else into
    for key, value in record.items():
        name = prefix + (storable(str(key)).strip() or "(blank)")  # a key is a column name: database text
        if isinstance(value, dict):
            flatten(value, flat, name + ".")
        elif isinstance(value, list):
            if any(isinstance(item, (dict, list)) for item in value):
                flat[name] = json.dumps(value, default=float, ensure_ascii=False, separators=(",", ":"))
            else:
                flat[name] = "; ".join(scalar_text(item) for item in value)
        else:
            flat[name] = scalar_text(value)
    return flat


def scalar_text(value: object) -> str:
    """A JSON scalar as text: null is empty, booleans lower-case, numbers as written."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def open_json(path: Path) -> StreamTable:
    """A JSON array of objects, or an object whose one array of objects holds the records."""
    _refuse_unbounded(path)
    prefix = _records_prefix(path)
    headers = _headers(path, (_flat_or_none(item) for item in _items(path, prefix)))
    handle = path.open("rb")
    _skip_bom(handle)

    def rows() -> Iterator[Row]:
        for number, item in enumerate(_parsed(path, ijson.items(handle, prefix, use_float=False, buf_size=_BUFFER), "record"), start=1):
            if isinstance(item, dict):
                yield _row(path.name, number, headers, flatten(item))
            else:
                yield _row(path.name, number, headers, {}, f"element {number} is {_kind(item)}, not an object")

    return StreamTable(path, path.name, "json", "utf-8", None, headers, rows(), handle.close)


def open_json_lines(path: Path) -> StreamTable:
    """One JSON object per line; a malformed line or a non-object is a problem of its row only."""
    headers = _headers(path, (_flat_or_none(record) for record in _lines(path, path.open("rb"))))
    handle = path.open("rb")

    def rows() -> Iterator[Row]:
        for number, record in enumerate(_lines(path, handle), start=1):
            if isinstance(record, dict):
                yield _row(path.name, number, headers, flatten(record))
            elif isinstance(record, TooDeepLine):
                yield _row(path.name, number, headers, {}, str(record))
            elif isinstance(record, ValueError):
                yield _row(path.name, number, headers, {}, f"not valid JSON: {record}")
            else:
                yield _row(path.name, number, headers, {}, f"the line holds {_kind(record)}, not an object")

    return StreamTable(path, path.name, "jsonl", "utf-8", None, headers, rows(), handle.close)


def is_json_lines(path: Path, max_line_bytes: int = MAX_ROW_CHARS) -> bool:
    """Whether a file that starts with `{` holds JSON Lines rather than one JSON object.

    JSON Lines when the first line is a whole object on its own and either more lines follow or it is
    not a wrapper around one array of objects.
    """
    with path.open("rb") as fh:
        _skip_bom(fh)
        first = _next_line(fh, max_line_bytes)
        if not first.rstrip().endswith(b"}"):
            return False  # a pretty-printed object, or a first line too long to be one record
        if _line_too_deep(first):  # a record line too deep to read, when more lines follow it
            return _next_line(fh, max_line_bytes) != b""
        try:
            record = json.loads(first)
        except ValueError:
            return False
        if not isinstance(record, dict):
            return False
        return _next_line(fh, max_line_bytes) != b"" or not _wraps_one_array_of_objects(record)


def _next_line(fh: BinaryIO, limit: int) -> bytes:
    while line := fh.readline(limit):
        if line.strip():
            return line
    return b""


def _wraps_one_array_of_objects(record: dict) -> bool:
    arrays = [value for value in record.values() if isinstance(value, list)]
    return sum(any(isinstance(item, dict) for item in array) for array in arrays) == 1


def _records_prefix(path: Path) -> str:
    """The ijson prefix of the records: `item` for a top-level array, `<key>.item` inside a wrapper object."""
    with path.open("rb") as fh:
        _skip_bom(fh)
        events = _parsed(path, ijson.parse(fh, use_float=False, buf_size=_BUFFER), "")
        _, event, _ = next(events, ("", None, None))
        if event == "start_array":
            return "item"
        if event != "start_map":
            raise InputFileError(f"{path.name}: the JSON is a single value, not an array of objects")
        holders: list[str] = []
        key = item_prefix = None
        in_array = False
        for prefix, event, value in events:
            if prefix == "":
                if event == "map_key":
                    key, item_prefix, in_array = value, f"{value}.item", False
            elif prefix == key and event == "start_array":
                in_array = True
            elif in_array and prefix == item_prefix and event == "start_map" and key not in holders:
                holders.append(key)
    if len(holders) != 1:
        found = f"{len(holders)} ({', '.join(holders)})" if holders else "none"
        raise InputFileError(f"{path.name}: the JSON object must hold exactly one array of objects, it holds {found}")
    return f"{holders[0]}.item"


def _items(path: Path, prefix: str) -> Iterator[object]:
    with path.open("rb") as fh:
        _skip_bom(fh)
        yield from _parsed(path, ijson.items(fh, prefix, use_float=False, buf_size=_BUFFER), "record")


def _parsed(path: Path, parsed: Iterator, unit: str) -> Iterator:
    """ijson's output, with malformed JSON turned into a file error that says where (by `unit` when named)."""
    count = 0
    try:
        for count, item in enumerate(parsed, start=1):
            yield item
    except ijson.JSONError as exc:
        where = f" in {unit} {count + 1}" if unit else ""
        raise InputFileError(f"{path.name}: malformed JSON{where}: {' '.join(str(exc).split())}") from exc


def _lines(path: Path, handle: BinaryIO) -> Iterator[object]:
    """The parsed value (or a ValueError saying where it is malformed or too deep) of every non-blank line;
    closes `handle`."""
    with handle:
        line_number = 0
        while line := handle.readline(MAX_ROW_CHARS + 1):
            line_number += 1
            if len(line) > MAX_ROW_CHARS:
                raise too_long_row(path.name, f"line {line_number}")
            if not line.strip():
                continue
            if _line_too_deep(line):
                yield TooDeepLine(f"line {line_number} nests arrays or objects more than {MAX_JSON_DEPTH} levels deep "
                                  "(the limit)")
                continue
            try:
                yield json.loads(line.rstrip(), parse_float=Decimal)
            except UnicodeDecodeError as exc:
                raise InputFileError(f"{path.name}: undecodable text on line {line_number}: not valid UTF-8") from exc
            except json.JSONDecodeError as exc:
                yield ValueError(f"line {line_number}, column {exc.pos + 1}: {exc.msg}")
            except (ValueError, RecursionError) as exc:
                yield ValueError(f"line {line_number}: {exc}")


def _flat_or_none(record: object) -> dict[str, str] | None:
    return flatten(record) if isinstance(record, dict) else None


def _headers(path: Path, records: Iterator[dict[str, str] | None]) -> list[str]:
    keys: dict[str, None] = {}
    for flat in records:
        if flat:
            keys.update(dict.fromkeys(flat))
            if len(keys) > MAX_COLUMNS:
                raise too_many_columns(path.name)
    if not keys:
        raise InputFileError(f"{path.name}: no JSON object with fields, so no columns (the file has no header)")
    return header_names(path.name, list(keys))


def _row(label: str, number: int, headers: list[str], flat: dict[str, str], problem: str | None = None) -> Row:
    values = {header: flat.get(header, "") for header in headers}
    check_row(label, number, values)
    problems = (problem,) if problem else ()
    return Row(number, values, problems + guard_cells(values))


def _kind(value: object) -> str:
    names: dict[type, str] = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _skip_bom(fh: BinaryIO) -> None:
    if fh.read(3) != _BOM:
        fh.seek(0)

