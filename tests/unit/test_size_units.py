"""Size units in headers and values, and conversion to GB."""

from __future__ import annotations

import pytest

from domain.discovery.size_units import split_header_unit, split_value_unit, to_gb


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("RAM (MB)", ("RAM", "MB")),
        ("Memory (In MB)", ("Memory", "MB")),
        ("Storage in use (In GB)", ("Storage in use", "GB")),
        ("RAM.TotalSizeInMB", ("RAM.TotalSize", "MB")),
        ("TotalDiskAllocatedGiB", ("TotalDiskAllocated", "GiB")),
        ("MemoryMiB", ("Memory", "MiB")),
        ("SizeInGib", ("Size", "GiB")),
        ("Total disk capacity MiB", ("Total disk capacity", "MiB")),
        ("Provisioned MB", ("Provisioned", "MB")),
        ("ram_mb", ("ram", "MB")),
        ("Memory in KB", ("Memory", "KB")),
        ("Disk (TB)", ("Disk", "TB")),
        ("Memory", ("Memory", None)),
        ("SMBiosId", ("SMBiosId", None)),
        ("Disk 1 read throughput (MB per second)", ("Disk 1 read throughput (MB per second)", None)),
    ],
)
def test_header_units(header: str, expected: tuple[str, str | None]) -> None:
    assert split_header_unit(header) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("16 GB", ("16", "GB")), ("512MB", ("512", "MB")), ("2 TiB", ("2", "TiB")), ("1.5tb", ("1.5", "TB")),
     ("16", ("16", None)), ("GB", ("GB", None))],
)
def test_value_units(text: str, expected: tuple[str, str | None]) -> None:
    assert split_value_unit(text) == expected


def test_conversions_use_multiples_of_1024() -> None:
    assert to_gb(16384, "MB") == 16
    assert to_gb(16384, "MiB") == 16
    assert to_gb(1024**2, "KB") == 1
    assert to_gb(2, "TB") == 2048
    assert to_gb(7.5, "GiB") == 7.5
