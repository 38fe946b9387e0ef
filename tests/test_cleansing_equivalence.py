"""Set-based cleansing gives what the row-by-row reference gives, row for row.

`cleanse_records` cleanses each distinct cell once in Python and assembles rows in SQL
(`raw_records_cleanse.sql`); `domain.discovery.cleansing.cleanse_record` is the reference for one row. For every
vendor fixture, a generated CMDB export and a file of edge cases (padding of every kind, placeholders in
the OS and OS-version columns, rows named by an address alone or by nothing, tags, dates, lists), every
stored record must equal the reference applied to its raw row under the approved mappings: values,
changes in order, problems, status and natural key.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench.cmdb_export import write_export
from db.queries import sql
from domain.discovery.cleansing import cleanse_record, natural_key
from domain.discovery.field_mapping import MappingSuggestion
from domain.flow_contracts import MappingReviewRequest
from tests.conftest import make_engagement
from tests.discovery_harness import rows, stage_and_map

pytestmark = pytest.mark.asyncio(loop_scope="session")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
BUNDLES = {
    "rvtools": ("RVTools_tabvInfo.csv", "RVTools_tabvPartition.csv", "RVTools_tabvNetwork.csv"),
    "google": ("vmInfo.csv", "diskInfo.csv", "perfInfo.csv", "tagInfo.csv"),
    "aws_ads": ("aws_ads_import.csv",),
    "azure": ("azure_migrate_import.csv",),
    "servicenow": ("cmdb_ci_server.csv", "cmdb_rel_ci.csv"),
    "servicenow_mixed": ("cmdb_ci_mixed.csv", "cmdb_rel_ci_mixed.csv"),
    "servicenow_lifecycle": ("cmdb_ci_lifecycle.csv", "cmdb_rel_ci_lifecycle.csv"),
    "cmf": ("cmf_intake.csv",),
    "konveyor": ("konveyor_applications.csv",),
}
EDGE_HEADERS = ["Name", "Host Name", "FQDN", "IP Address", "MAC Address", "Operating System", "OS Version",
                "CPU Cores", "Memory (MB)", "Environment", "Tags", "Depends On", "Created Date", "Notes"]
EDGE_ROWS = [
    ["  web01 ", "web01", "web01.corp.local", "10.0.0.1; 10.0.0.2", "00-50-56-AA-BB-01", "RHEL 9", "",
     " 4 ", "16384", "Prod", "env:prod, owner=ops", "db01| db01 |N/A", "44348.4375", " kept "],
    ["\u00a0web02\u00a0", "", "", "10.0.0.3", "", "Microsoft Windows Server 2019 (64-bit)", "N/A",
     "\t2", "8,192", "PRD", "", "", "2021-06-01", "N/A"],
    ["", "", "app7.corp.local", "", "", "N/A", "8.6", "2", "4096", "dev", "{\"team\": \"blue\"}", "", "", ""],
    ["", "", "", "10.9.9.9", "", "CentOS 7", "7.9", "1", "2048", "test", "", "", "TBD", "note"],
    ["", "", "", "", "aa:bb:cc:dd:ee:ff", "Ubuntu", "22.04", "", "", "", "", "", "", ""],
    ["", "", "", "", "", "Windows 2012 R2", "", "2", "1024", "prod", "", "", "", "orphan"],
    ["db01", "DB01", "", "not-an-ip", "", "Oracle Linux 8", "  ", "-4", "NaN", "Production", "", "", "", ""],
    ["db02", " ", "", "", "", "  ", "9", "8", "32 GB", "Unknown", "", "", "", ""],
    ["db01", "db01", "", "10.0.0.9", "", "RHEL 8", "8.4", "8", "65,536", "prd", "", "web01", "45000", "dup"],
    ["", "", ".corp", "10.7.7.7", "", "", "", "", "", "", "", "", "", "an FQDN that names nothing"],
    ["", "", ".corp", "", "", "", "", "", "", "", "", "", "", "no identifier at all"],
]


def _suggestion(row: dict) -> MappingSuggestion:
    return MappingSuggestion(source_field=row["source_field"], target_field=row["target_field"],
                             confidence=row["confidence"], source=row["source"], reason=row["reason"] or "",
                             unit=(row["transformation"] or {}).get("unit"))


def _json(value: object) -> object:
    return json.loads(json.dumps(value))


async def _cleanse_and_compare(app_pool, files: list[Path], batch_size: int = 5000) -> int:
    e = await make_engagement(app_pool)
    stage = await stage_and_map(app_pool, e.ref, files)
    await stage.review(MappingReviewRequest(client_account_id=e.ref.client_account_id, user=e.owner_id,
                                            accept_remaining=True))
    from activities.discovery import DiscoveryActivities

    await stage.env.run(DiscoveryActivities(app_pool, batch_size=batch_size).cleanse_records, stage.step)
    imports = await rows(app_pool, e.ref, "SELECT id, import_role FROM migration.data_imports")
    compared = 0
    for imp in (i for i in imports if i["import_role"] == "inventory"):
        mappings = [_suggestion(r) for r in await rows(app_pool, e.ref, sql("field_mappings_approved"), imp["id"])]
        records = await rows(app_pool, e.ref, "SELECT * FROM migration.raw_import_records WHERE data_import_id = $1"
                                              " ORDER BY row_number", imp["id"])
        for record in records:
            expected = cleanse_record(record["raw_data"], mappings)
            stored_import = (record["validation_errors"] or {}).get("import")
            errors = {"import": stored_import} if stored_import else {}
            if expected.errors:
                errors["cleansing"] = list(expected.errors)
            where = f"row {record['row_number']}: {record['raw_data']}"
            assert record["cleansed_data"] == _json(expected.values), where
            assert record["cleansing_changes"] == _json(expected.changes), where
            assert record["validation_errors"] == (errors or None), where
            assert record["status"] == ("quarantined" if errors else "valid"), where
            assert record["natural_key"] == (None if errors else natural_key(expected.values)), where
            compared += 1
    return compared


@pytest.mark.parametrize("bundle", sorted(BUNDLES))
async def test_vendor_fixtures_cleanse_as_the_reference_does(app_pool, bundle: str) -> None:
    assert await _cleanse_and_compare(app_pool, [FIXTURES / name for name in BUNDLES[bundle]]) > 0


async def test_a_generated_cmdb_export_cleanses_as_the_reference_does(app_pool, tmp_path: Path) -> None:
    export = write_export(tmp_path / "cmdb_ci_server.csv", 1500, seed=11)
    assert await _cleanse_and_compare(app_pool, [export.path]) == 1500


async def test_edge_cases_cleanse_as_the_reference_does(app_pool, tmp_path: Path) -> None:
    path = tmp_path / "edge_cases.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EDGE_HEADERS)
        writer.writerows(EDGE_ROWS)
    # batches of 3 cells: outcomes are streamed and copied in several batches
    assert await _cleanse_and_compare(app_pool, [path], batch_size=3) == len(EDGE_ROWS)


async def test_asset_types_and_their_is_virtual_cleanse_as_the_reference_does(app_pool, tmp_path: Path) -> None:
    """A type or class sets source_class, and is_virtual unless the row's own Virtual cell gives a value."""
    path = tmp_path / "types.csv"
    types = ["VM", "cmdb_ci_vm_instance", "Physical Server", "cmdb_ci_ups", "server", " Server ", "cmdb_ci_ip_switch",
             "N/A", "", "Virtual Machine"]
    virtual = ["no", "", "yes", "N/A", "maybe", "", "", "true", "", " n "]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Type", "Virtual"])
        writer.writerows([f"host-{i}", t, v] for i, (t, v) in enumerate(zip(types, virtual)))
    assert await _cleanse_and_compare(app_pool, [path], batch_size=3) == len(types)


async def test_a_wide_export_cleanses_as_the_reference_does(app_pool, tmp_path: Path) -> None:
    """Ninety columns, most of them unmapped (an RVTools vInfo export is about that wide): placeholders,
    padding and dates among the custom attributes."""
    extra = [f"Attribute {n:02d}" for n in range(70)] + ["Last Seen Date", "Modified"]
    path = tmp_path / "wide.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EDGE_HEADERS + extra)
        for i, row in enumerate(EDGE_ROWS):
            writer.writerow(row + [("N/A", f" v{i}-{n} ", "", "-", f"value {n}")[(i + n) % 5] for n in range(70)]
                            + ["45000", "2024-01-02 10:00:00"])
    assert await _cleanse_and_compare(app_pool, [path]) == len(EDGE_ROWS)
