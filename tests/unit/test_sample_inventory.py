"""The sample inventory generator: deterministic, realistic shape, and the bundled CSV in sync."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from domain.discovery.sample_inventory import (
    BAD_VALUE_NOTE,
    SAMPLE_COLUMNS,
    generate_inventory,
    main,
    write_csv,
)

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "samples" / "demo_inventory.csv"


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    assert generate_inventory(120, seed=3) == generate_inventory(120, seed=3)
    assert generate_inventory(120, seed=3) != generate_inventory(120, seed=4)


def test_shape_of_300_servers() -> None:
    rows = generate_inventory(300)
    assert len(rows) == 300 and all(tuple(row) == SAMPLE_COLUMNS for row in rows)
    names = [row["Server Name"] for row in rows]
    assert len(set(names)) == 300
    targets = {target.strip() for row in rows for target in row["Depends On"].split(";") if target.strip()}
    assert targets <= set(names)
    applications = Counter(row["Application"] for row in rows if row["Application"] not in ("", "N/A")
                           and not row["Application"].startswith("Shared Infrastructure"))
    assert 20 <= len(applications) <= 30 and all(3 <= size <= 20 for size in applications.values())
    shared = Counter(target.strip() for row in rows for target in row["Depends On"].split(";")
                     if target.strip()[:2] in ("dn", "ad", "mo"))
    assert min(shared.values()) > 20  # shared services are depended on by many
    assert sum(row["Notes"].startswith(BAD_VALUE_NOTE) for row in rows) == 2
    assert sum(row["Power State"] in ("poweredOff", "Off", "Stopped") for row in rows) > 5


def test_small_inventories_work() -> None:
    for servers in (0, 1, 2, 3, 7, 19):
        assert len(generate_inventory(servers)) == servers


def test_write_csv_round_trips(tmp_path: Path) -> None:
    rows = generate_inventory(30)
    write_csv(rows, tmp_path / "inventory.csv")
    with (tmp_path / "inventory.csv").open(newline="", encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == rows


def test_bundled_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    main(["--servers", "300", "--out", str(tmp_path / "demo.csv")])
    assert (tmp_path / "demo.csv").read_bytes() == SAMPLE_CSV.read_bytes()
