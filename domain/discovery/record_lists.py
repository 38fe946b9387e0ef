"""Asset columns computed from a record's fields by a layout's rules: lists of objects read, numbers multiplied.

The JSON reader keeps a list of objects as one cell of compact JSON (`spec.resources.disk_list`); a layout
that knows what its lists hold names, per asset column, how to read them (`Derived`, in the layout's
`SourceFormat.derived`). A path walks a record's flattened cells: the part before the first `[]` is the
header of the cell, each `[]` steps into every element of a list, each dotted name into a field of an object:
`spec.resources.nic_list[].ip_endpoint_list[].ip` is every IP of every NIC.

- `count`: how many elements of the first list the path names pass `where` (CD-ROMs are no data disks);
- `sum`: the numbers the path reaches in those elements, added, in GB when the rule names a size unit;
- `join`: the distinct texts the path reaches, "; "-separated (an address list);
- `product`: every path is one number, multiplied (sockets x vCPUs per socket).

A missing field or a blank cell gives no value. A cell that is not what the rule reads (text where a number
belongs, a cell that is not a JSON list) raises `DerivedValueError`, which the import carries as a problem of
the row, as it does for a per-disk column that is not a number.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from domain.discovery.size_units import SizeUnit, to_gb

Combine = Literal["count", "sum", "join", "product"]


@dataclass(frozen=True)
class Derived:
    """One asset column computed from a record: `combine` over the values at `paths` (one path but for `product`)."""

    column: str
    combine: Combine
    paths: tuple[str, ...]
    where: tuple[str, str] | None = None  # (path inside an element of the first list, the value it must have)
    unit: SizeUnit | None = None  # `sum`: the unit of the numbers, converted to GB


class DerivedValueError(ValueError):
    """A record's cells do not hold what a rule reads; the message says which cell and why."""


def derived_value(rule: Derived, cells: Mapping[str, str]) -> str:
    """The column's text for one record ("" when the record has nothing to say); raises `DerivedValueError`."""
    if rule.combine == "product":
        factors = [_number(path, _scalar(cells, path)) for path in rule.paths]
        if any(factor is None for factor in factors):
            return ""
        return _shown(math.prod(factor for factor in factors if factor is not None))
    values = _values(cells, rule.paths[0], rule.where)
    if values is None:
        return ""
    if rule.combine == "count":
        return str(len(values))
    if rule.combine == "join":
        return "; ".join(dict.fromkeys(text for value in values if (text := _text(value))))
    numbers = [n for value in values if (n := _number(rule.paths[0], value)) is not None]
    if not numbers:
        return ""
    total = sum(numbers)
    return _shown(to_gb(total, rule.unit) if rule.unit else total)


def _split(path: str) -> tuple[str, list[str]]:
    """`a.b[].c[].d` -> ("a.b", ["c", "d"]): the cell's header, then the steps inside each element."""
    header, _, inner = path.partition("[]")
    return header, [step for step in inner.replace("[]", ".[]").split(".") if step]


def _scalar(cells: Mapping[str, str], header: str) -> str:
    return (cells.get(header) or "").strip()


def _values(cells: Mapping[str, str], path: str, where: tuple[str, str] | None) -> list[object] | None:
    """The values `path` reaches in the record (None when the cell is blank); elements failing `where` left out."""
    header, steps = _split(path)
    text = _scalar(cells, header)
    if "[]" not in path:
        return [text] if text else None
    if not text:
        return None
    try:
        elements = json.loads(text)
    except (ValueError, RecursionError):  # nested deeper than the parser can follow: no list a person wrote
        raise DerivedValueError(f"{header}: not a JSON list") from None
    if not isinstance(elements, list):
        raise DerivedValueError(f"{header}: not a JSON list")
    if where is not None:
        where_steps = _split("[]" + where[0])[1]
        elements = [e for e in elements if any(_text(v) == where[1] for v in _walk(e, where_steps))]
    if not steps:
        return elements
    return [value for element in elements for value in _walk(element, steps)]


def _walk(value: object, steps: list[str]) -> list[object]:
    """Every value reached from `value` by the steps; a missing field reaches nothing."""
    if not steps:
        return [] if value is None else [value]
    step, rest = steps[0], steps[1:]
    if step == "[]":
        return [found for item in value for found in _walk(item, rest)] if isinstance(value, list) else []
    return _walk(value.get(step), rest) if isinstance(value, dict) else []


def _text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _number(where: str, value: object) -> float | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise DerivedValueError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise DerivedValueError(f"{where}: {text!r} is not a non-negative number")
    return number


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(round(value, 3))
