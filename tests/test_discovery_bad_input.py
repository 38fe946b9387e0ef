"""Bad input through the real discovery activities and PostgreSQL (issue 5 §6).

File-level problems refuse the import with one clear message (a non-retryable `BadInput` error), mark
every file of it failed with that message, and leave nothing half-written. Row-level problems
quarantine their row with its reasons while the other rows import. Files are written into tmp_path.
"""

from __future__ import annotations

import csv
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.errors import BAD_INPUT
from db.import_files import ImportFileError
from db.import_review import export_quarantine
from tests.conftest import make_engagement
from tests.discovery_harness import rows, run_discovery

pytestmark = pytest.mark.asyncio(loop_scope="session")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
FORMULA = "=cmd|' /C calc'!A0"
SQL_INJECTION = "'; DROP TABLE migration.assets; --"


async def _refused(pool, files: list[Path]) -> str:
    """Run discovery on files that must be refused; check nothing was kept; return the message."""
    e = await make_engagement(pool)
    with pytest.raises(ApplicationError) as caught:
        await run_discovery(pool, e.ref, files, reviewer=e.owner_id)
    assert caught.value.type == BAD_INPUT and caught.value.non_retryable
    message = caught.value.message
    imports = await rows(pool, e.ref, "SELECT status, error_summary FROM migration.data_imports")
    assert [(d["status"], d["error_summary"]) for d in imports] == [("failed", {"error": message})] * len(files)
    assert await rows(pool, e.ref, "SELECT 1 FROM migration.raw_import_records") == []
    assert await rows(pool, e.ref, "SELECT 1 FROM migration.assets") == []
    return message


async def test_empty_file_is_refused_at_upload(app_pool, tmp_path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    e = await make_engagement(app_pool)
    with pytest.raises(ImportFileError, match="empty.csv: the file is empty"):
        await run_discovery(app_pool, e.ref, [path])
    assert await rows(app_pool, e.ref, "SELECT 1 FROM migration.data_imports") == []


async def test_blank_file_has_no_header(app_pool, tmp_path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n   \n\t\n", encoding="utf-8")
    assert await _refused(app_pool, [path]) == "blank.csv: the file has no header row (it is empty or blank)"


async def test_header_without_rows(app_pool, tmp_path) -> None:
    path = tmp_path / "header_only.csv"
    path.write_text("name,ip_address,operating_system\n", encoding="utf-8")
    assert await _refused(app_pool, [path]) == "header_only.csv: the file has a header row but no data rows"


async def test_duplicate_headers(app_pool, tmp_path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("name,ip_address,Name\nweb-01,10.0.0.1,web\n", encoding="utf-8")
    assert await _refused(app_pool, [path]) == "twice.csv: duplicate column header(s): Name"


async def test_undecodable_bytes(app_pool, tmp_path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"name,owner\nweb-01,J\xfcrgen\nweb-02,A\x81B\n")  # 0x81: neither UTF-8 nor Windows-1252
    message = await _refused(app_pool, [path])
    assert message == "mixed.csv: undecodable text on line 3: byte 0x81 is neither UTF-8 nor Windows-1252"


async def test_binary_data(app_pool, tmp_path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    assert await _refused(app_pool, [path]) == "inventory.csv: binary data (NUL bytes), not a CSV text file"


async def test_xlsx_zip_bomb(app_pool, tmp_path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(64):
                part.write(b"\x20" * (1 << 20))  # 64 MiB of spaces, a few hundred KiB compressed
    assert path.stat().st_size < 1 << 20
    message = await _refused(app_pool, [path])
    assert message.startswith("bomb.xlsx: refused, part xl/worksheets/sheet1.xml inflates ")
    assert message.endswith(":1 to 64 MiB (a zip bomb?)")


async def test_supplement_without_its_inventory(app_pool) -> None:
    message = await _refused(app_pool, [FIXTURES / "diskInfo.csv", FIXTURES / "tagInfo.csv"])
    assert message == "diskInfo.csv needs the vmInfo.csv it describes in the same import"


def _write_rows(path: Path, header: list[str], lines: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(lines)
    return path


HEADER = ["name", "ip_address", "operating_system", "memory_gb", "storage_gb", "description", "depends_on"]
BIG_CELL = "x" * (10 * (1 << 20))


async def test_row_problems_are_quarantined_and_the_rest_imports(app_pool, tmp_path) -> None:
    path = _write_rows(tmp_path / "servers.csv", HEADER, [
        ["web-01", "10.0.0.1", "Ubuntu 22.04", "8", "100", "front end", "app-01"],                 # 1
        ["web-02", "10.0.0.2", "Ubuntu 22.04", "8"],                                             # 2 ragged
        ["app-01", "10.0.0.3", "Ubuntu 22.04", "16", "200", FORMULA, ""],                        # 3
        [SQL_INJECTION, "10.0.0.4", "Ubuntu 22.04", "4", "40", SQL_INJECTION, ""],               # 4
        ["db-01", "10.0.0.5", "Ubuntu 22.04", "NaN", "500", FORMULA, ""],                        # 5
        ["db-02", "10.0.0.6", "Ubuntu 22.04", "64", "Infinity", "", ""],                         # 6
        ["db-03", "10.0.0.7", "Ubuntu 22.04", "-4", "500", "", ""],                              # 7
        ["log-01", "10.0.0.8", "Ubuntu 22.04", "4", "50", BIG_CELL, ""],                         # 8
        ["batch-01", "10.0.0.9", "Ubuntu 22.04", "4", "50", "nightly", "ghost-99; app-01"],      # 9
        ["web-03", "10.0.0.10", "Ubuntu 22.04", "8", "100", "front end", "", "extra"],           # 10 ragged
        ["mon-01", "10.0.0.11", "Ubuntu 22.04", "2", "20", "monitoring", "web-01"],              # 11
    ])
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [path], reviewer=e.owner_id)
    [imported] = await rows(app_pool, e.ref, "SELECT id, status, total_records, valid_records, quarantined_records,"
                                             " error_summary FROM migration.data_imports")
    assert (imported["status"], imported["total_records"], imported["valid_records"],
            imported["quarantined_records"]) == ("completed", 11, 5, 6)
    assert imported["error_summary"] == {"dangling_dependencies": ["ghost-99"]}
    quarantined = {r["row_number"]: r for r in await rows(
        app_pool, e.ref, "SELECT row_number, validation_errors, raw_data FROM migration.raw_import_records"
                         " WHERE status = 'quarantined'")}
    assert {n: r["validation_errors"] for n, r in quarantined.items()} == {
        2: {"import": ["row has 4 fields but the header has 7"]},
        5: {"cleansing": ["memory_gb: 'NaN' is not a finite number"]},
        6: {"cleansing": ["storage_gb: 'Infinity' is not a finite number"]},
        7: {"cleansing": ["memory_gb: '-4' is negative"]},
        8: {"import": ["cell 'description' is 10.0 MB, over the 1 MiB limit"]},
        10: {"import": ["row has 8 fields but the header has 7"]},
    }
    assert len(quarantined[8]["raw_data"]["description"]) < 1000  # the oversized cell is not stored whole
    assets = {a["name"]: a for a in await rows(app_pool, e.ref, "SELECT * FROM migration.assets")}
    assert set(assets) == {"web-01", "app-01", SQL_INJECTION, "batch-01", "mon-01"}
    assert assets["app-01"]["description"] == FORMULA  # stored verbatim: it is data
    assert assets[SQL_INJECTION]["description"] == SQL_INJECTION
    assert assets["web-01"]["memory_gb"] == Decimal(8)
    edges = await rows(app_pool, e.ref, """
        SELECT s.name AS source, t.name AS target, d.dependency_type FROM migration.asset_dependencies d
        JOIN migration.assets s ON s.id = d.source_asset_id JOIN migration.assets t ON t.id = d.target_asset_id""")
    assert {(d["source"], d["target"], d["dependency_type"]) for d in edges} == {
        ("web-01", "app-01", "depends_on"), ("batch-01", "app-01", "depends_on"), ("mon-01", "web-01", "depends_on")}
    assert run.results["dependency_analysis"].summary["dangling_references"] == 1

    export = tmp_path / "quarantine.csv"
    assert await export_quarantine(app_pool, e.ref, [imported["id"]], export) == 6
    with export.open(encoding="utf-8-sig", newline="") as fh:
        exported = {row["row"]: row for row in csv.DictReader(fh)}
    assert exported["5"]["description"] == "'" + FORMULA  # neutralised: a spreadsheet shows it as text
    assert exported["7"]["memory_gb"] == "-4"  # a negative number stays a number
    assert exported["5"]["reasons"] == "cleansing: memory_gb: 'NaN' is not a finite number"
