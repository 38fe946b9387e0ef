"""Per-disk columns of one row summed into the asset's disk totals.

Azure Migrate's import template lists its disks side by side: `Disk 1 size (In GB)`, `Disk 1 read
throughput (MB per second)`, `Disk 1 write throughput ...`, `Disk 1 read ops (operations per second)`,
`Disk 1 write ops ...`, up to Disk 20 (FORMATS.md). The asset holds totals: capacity is the sum of
the sizes, throughput and IOPS the sums of reads and writes over every disk. Cells are read as
cleansing reads numbers (placeholders are no value, `1,024` and `2,5` are numbers, a size may carry
its unit); a cell that is not a finite, non-negative number is a problem of its row (named by its
column), never a silent zero.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from domain.discovery.cleansing import read_amount
from domain.value_aliases import is_placeholder

_DISK_COLUMN = re.compile(
    r"\s*disk\s+\d+\s+(?:(?P<size>size)|(?:read|write)\s+(?:(?P<throughput>throughput)|(?P<ops>ops)))\b.*",
    re.IGNORECASE,
)
# The header each total is written under: names the field mapping reads as the asset column.
TOTAL_HEADERS: dict[str, str] = {
    "size": "Total disk capacity GB",  # storage_gb
    "throughput": "Disk Throughput MBps",  # disk_throughput_mbps
    "ops": "Disk IOPS Avg",  # disk_iops_avg
}


def disk_columns(headers: Sequence[str]) -> dict[str, list[str]]:
    """The per-disk headers by total they add to (only totals with at least one column)."""
    found: dict[str, list[str]] = {}
    for header in headers:
        match = _DISK_COLUMN.fullmatch(header)
        if match:
            found.setdefault(next(k for k, v in match.groupdict().items() if v), []).append(header)
    return found


def disk_totals(values: Mapping[str, str], columns: Mapping[str, list[str]]) -> tuple[dict[str, str], list[str]]:
    """The totals as text under their `TOTAL_HEADERS` ("" when no disk cell has a value), and the
    problems of the row's disk cells."""
    totals: dict[str, str] = {}
    problems: list[str] = []
    for total, headers in columns.items():
        amounts = []
        for header in headers:
            text = (values.get(header) or "").strip()
            if not text or is_placeholder(text):
                continue
            try:
                amounts.append(read_amount(text, size=total == "size"))
            except ValueError as problem:
                problems.append(f"{header}: {problem}")
        totals[TOTAL_HEADERS[total]] = f"{sum(amounts):.6f}".rstrip("0").rstrip(".") if amounts else ""
    return totals, problems
