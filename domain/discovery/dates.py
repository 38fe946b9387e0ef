"""Dates as exports write them: ISO, day-first or month-first text, and Excel serial numbers.

Excel counts days from 1899-12-30 (its 1900 leap-year bug included), so serial 45123 is
2023-07-16. A serial is only read as a date between 1990 and 2100 (serials 32874..73051);
other numbers are not dates. Ambiguous `03/04/2024` is read day-first, as most non-US exports
write it; `2024-04-03` and `03-Apr-2024` are unambiguous.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL = re.compile(r"\d{5}(\.\d+)?")
_SERIAL_RANGE = (32874, 73051)  # 1990-01-01 .. 2100-01-01
_FORMATS = (
    "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%b-%Y", "%d %b %Y",
    "%b %d, %Y", "%m/%d/%Y %I:%M:%S %p",
)


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")


@functools.lru_cache(maxsize=1 << 16)
def parse_date(text: str) -> str | None:
    """The ISO date (YYYY-MM-DD) the text means, or None when it is not a date."""
    value = text.strip()
    iso = _ISO_DAY.fullmatch(value)
    if iso:  # the common case, without trying every format
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3])).isoformat()
        except ValueError:
            return None
    if not any(c.isdigit() for c in value):
        return None
    if _SERIAL.fullmatch(value):
        serial = float(value)
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return (_EXCEL_EPOCH + timedelta(days=int(serial))).isoformat()
        return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return None
