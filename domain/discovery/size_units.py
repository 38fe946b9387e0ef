"""Size units: find them in column headers and in values, and convert sizes to GB.

The asset model keeps memory and storage in GB. Exports say KB, MB, MiB, GiB or TB, in the header
(`RAM (MB)`, `Memory (In MB)`, `RAM.TotalSizeInMB`, `TotalDiskAllocatedGiB`, `Provisioned MiB`) or
in the value (`16 GB`, `512MB`, `2 TiB`). As inventory tools do, decimal and binary spellings are
read alike, as multiples of 1024 (MB and MiB -> / 1024, TB and TiB -> * 1024).
"""

from __future__ import annotations

import re
from typing import Literal

SizeUnit = Literal["KB", "KiB", "MB", "MiB", "GB", "GiB", "TB", "TiB"]

_GB_PER_UNIT: dict[SizeUnit, float] = {
    "KB": 1 / 1024**2,
    "KiB": 1 / 1024**2,
    "MB": 1 / 1024,
    "MiB": 1 / 1024,
    "GB": 1.0,
    "GiB": 1.0,
    "TB": 1024.0,
    "TiB": 1024.0,
}
_UNIT_BY_LOWER: dict[str, SizeUnit] = {unit.lower(): unit for unit in _GB_PER_UNIT}

_UNIT = r"(?P<unit>[kmgt]i?b)"
# Tried in order on a header; the first match is the unit and is cut out of the header.
_HEADER_UNIT_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "RAM (MB)", "Memory (In MB)", "Storage in use (In GB)"
    re.compile(r"\(\s*(?:in\s+)?" + _UNIT + r"\s*\)", re.IGNORECASE),
    # "Total disk capacity MiB", "ram_mb", "Memory in GB"
    re.compile(r"(?:^|[\s_.\-])(?:in[\s_]+)?" + _UNIT + r"\s*$", re.IGNORECASE),
    # camelCase: "RAM.TotalSizeInMB", "TotalDiskAllocatedGiB", "SizeInGib"
    re.compile(r"(?<=[a-z])(?:In)?(?P<unit>[KMGT](?:B|i[Bb]))(?=$|[\s._])"),
)
_VALUE_WITH_UNIT = re.compile(r"(?P<amount>.*?\d)\s*" + _UNIT, re.IGNORECASE)


def split_header_unit(header: str) -> tuple[str, SizeUnit | None]:
    """The header without its size unit, and that unit: `'RAM (MB)'` -> `('RAM', 'MB')`."""
    for pattern in _HEADER_UNIT_PATTERNS:
        match = pattern.search(header)
        if match:
            rest = f"{header[: match.start()]} {header[match.end():]}".strip()
            return rest, _UNIT_BY_LOWER[match.group("unit").lower()]
    return header, None


def split_value_unit(text: str) -> tuple[str, SizeUnit | None]:
    """The amount and the unit a value carries: `'512MB'` -> `('512', 'MB')`; no unit -> None."""
    match = _VALUE_WITH_UNIT.fullmatch(text.strip())
    if match is None:
        return text, None
    return match.group("amount").strip(), _UNIT_BY_LOWER[match.group("unit").lower()]


def to_gb(amount: float, unit: SizeUnit) -> float:
    """`amount` in `unit`, expressed in GB."""
    return amount * _GB_PER_UNIT[unit]
