"""Discovery of real export formats, end to end through the real activities and PostgreSQL.

The fixtures under tests/fixtures/formats follow FORMATS.md; JSON, JSON Lines, the RVTools workbook and
the Windows-1252 CSV are written into tmp_path by the tests. Each test imports one vendor's file or
bundle and checks assets, normalised values and units, joins of supplements, merges, dependency edges
and technical-debt flags. Every expected value was worked out by hand from the fixture rows (sums of
partitions and disks, means and peaks of samples, MiB / MB to GB), never copied from a run.

Discovery runs without a reviewer unless a test says otherwise: only the mappings the platform approves
by itself are applied, and columns a person would have to review stay unmapped.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from temporalio.testing import ActivityEnvironment

from activities.transitions import TransitionActivities
from db import import_review
from domain.flow_contracts import TransitionRequest
from tests.conftest import make_engagement
from tests.discovery_harness import DiscoveryRun, rows, run_discovery

pytestmark = pytest.mark.asyncio(loop_scope="session")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
RVTOOLS = ("RVTools_tabvInfo.csv", "RVTools_tabvPartition.csv", "RVTools_tabvNetwork.csv")
GOOGLE = ("vmInfo.csv", "diskInfo.csv", "perfInfo.csv", "tagInfo.csv")
# PostgreSQL 14 (named in the db-prd-0x annotations) left community support on 2026-11-12.
POSTGRES_14_ENDED = date.today() > date(2026, 11, 12)


async def _assets(pool, ref) -> dict[str, dict]:
    return {r["name"]: r for r in await rows(pool, ref, "SELECT * FROM migration.assets")}


async def _imports(pool, ref) -> dict[str, dict]:
    found = await rows(pool, ref, "SELECT id, file_name, source_format, import_role, status, total_records,"
                                  " valid_records, quarantined_records, bundle_report, error_summary"
                                  " FROM migration.data_imports ORDER BY created_at")
    return {r["file_name"]: r for r in found}


async def _edges(pool, ref) -> set[tuple]:
    found = await rows(pool, ref, """
        SELECT s.name AS source, t.name AS target, d.dependency_type, d.strength, d.port, d.evidence_source
        FROM migration.asset_dependencies d
        JOIN migration.assets s ON s.id = d.source_asset_id JOIN migration.assets t ON t.id = d.target_asset_id""")
    return {(r["source"], r["target"], r["dependency_type"], r["strength"], r["port"]) for r in found}


async def _evidence(pool, ref) -> dict[tuple[str, str], str]:
    found = await rows(pool, ref, """
        SELECT s.name AS source, t.name AS target, d.evidence_source FROM migration.asset_dependencies d
        JOIN migration.assets s ON s.id = d.source_asset_id JOIN migration.assets t ON t.id = d.target_asset_id""")
    return {(r["source"], r["target"]): r["evidence_source"] for r in found}


async def _quarantined(pool, ref) -> dict[tuple[str, int], dict]:
    found = await rows(pool, ref, """
        SELECT d.file_name, r.row_number, r.validation_errors FROM migration.raw_import_records r
        JOIN migration.data_imports d ON d.id = r.data_import_id WHERE r.status = 'quarantined'""")
    return {(r["file_name"], r["row_number"]): r["validation_errors"] for r in found}


def _column(assets: dict[str, dict], column: str) -> dict[str, object]:
    return {name: asset[column] for name, asset in assets.items()}


def _flags(assets: dict[str, dict]) -> dict[str, set[str]]:
    return {name: set(asset["tech_debt_flags"]) for name, asset in assets.items()}


# ----------------------------------------------------------------------------- RVTools
# A VM's capacity is vInfo's own "Provisioned MiB" / 1024, whatever its guest partitions add up to.
RVTOOLS_STORAGE_GB = {
    "web-prd-01": 62, "web-prd-02": 62,                        # 63488 (partitions: 60 GB)
    "app-prd-01": 202, "app-prd-02": 202,                      # 206848
    "db-prd-01": 1026, "db-prd-02": 1026,                      # 1050624
    "batch-prd-01": 302, "win-dc-01": 102, "test-app-01": 102,  # 309248; 104448; 104448
    "dev-build-01": 202,                                       # 206848
    "tpl-rhel9": 40, "old-ftp-01": 50,                         # 40960 and 51200
}
RVTOOLS_MEMORY_GB = {"web-prd-01": 8, "web-prd-02": 8, "app-prd-01": 16, "app-prd-02": 16, "db-prd-01": 64,
                     "db-prd-02": 64, "batch-prd-01": 32, "win-dc-01": 8, "tpl-rhel9": 4, "old-ftp-01": 2,
                     "test-app-01": 8, "dev-build-01": 16}
RVTOOLS_FLAGS = {
    **{name: set() for name in RVTOOLS_MEMORY_GB},
    "db-prd-01": {"database_end_of_life"} if POSTGRES_14_ENDED else set(),
    "db-prd-02": {"database_end_of_life"} if POSTGRES_14_ENDED else set(),
    "old-ftp-01": {"os_end_of_life", "old_vm_hardware", "powered_off"},  # 2008 R2, vmx-10, poweredOff
    "tpl-rhel9": {"template", "powered_off"},
    "dev-build-01": {"os_support_unknown"},  # "Ubuntu Linux (64-bit)" names no release
}


async def _check_rvtools(pool, ref, inventory_name: str) -> None:
    assets = await _assets(pool, ref)
    assert set(assets) == set(RVTOOLS_MEMORY_GB)  # the blank padded rows are not assets
    assert _column(assets, "memory_gb") == {n: Decimal(v) for n, v in RVTOOLS_MEMORY_GB.items()}
    assert _column(assets, "storage_gb") == {n: Decimal(v) for n, v in RVTOOLS_STORAGE_GB.items()}
    assert assets["db-prd-01"]["storage_used_gb"] == Decimal(772)  # In Use MiB 790528 / 1024
    assert assets["web-prd-01"]["storage_used_gb"] == Decimal(18)  # In Use MiB 18432 / 1024
    guest = assets["web-prd-01"]["custom_attributes"]  # partitions are detail: (40960 + 20480), (12288 + 5120) MiB
    assert (guest["guest_partitions_capacity_gb"], guest["guest_partitions_used_gb"]) == ("60.0", "17.0")
    assert _column(assets, "is_virtual") == {n: True for n in assets}
    assert _column(assets, "hypervisor") == {n: "vmware" for n in assets}
    assert assets["app-prd-01"]["mac_addresses"] == ["00:50:56:8a:20:01", "00:50:56:8a:90:01"]
    assert assets["app-prd-01"]["ip_addresses"] == ["10.10.2.21", "10.10.2.121", "192.168.90.21"]
    assert assets["app-prd-01"]["ip_address"] == "10.10.2.21"
    assert assets["web-prd-01"]["operating_system"] == "Red Hat Enterprise Linux 8"
    assert assets["batch-prd-01"]["operating_system"] == "Windows Server 2019"
    assert assets["old-ftp-01"]["operating_system"] == "Windows Server 2008 R2"
    assert assets["web-prd-01"]["os_family"] == "linux" and assets["win-dc-01"]["os_family"] == "windows"
    assert _column(assets, "power_state") == {
        n: "powered_off" if n in ("tpl-rhel9", "old-ftp-01") else "powered_on" for n in assets}
    assert _column(assets, "is_template") == {n: n == "tpl-rhel9" for n in assets}
    assert assets["old-ftp-01"]["vm_hardware_version"] == "vmx-10"
    assert assets["web-prd-01"]["external_id"] == "5011a3c5-1f2e-7a11-9c33-000000001001"
    assert assets["web-prd-01"]["host_name"] == "esx-prd-01.corp.example.com"
    assert assets["app-prd-01"]["custom_attributes"]["Creation date"] == "2021-06-01"  # Excel serial 44348.4375
    assert assets["web-prd-01"]["custom_attributes"]["Cost Centre"] == "CC-1001"
    assert _flags(assets) == RVTOOLS_FLAGS
    imports = await _imports(pool, ref)
    inventory = imports[inventory_name]
    assert (inventory["source_format"], inventory["total_records"], inventory["valid_records"]) == (
        "rvtools_vinfo", 12, 12)
    joins = {s["format_id"]: s for s in inventory["bundle_report"]["supplements"]}
    assert (joins["rvtools_vpartition"]["rows"], joins["rvtools_vpartition"]["unmatched_sample"]) == (
        24, ["decom-vm-99"])
    assert (joins["rvtools_vnetwork"]["rows"], joins["rvtools_vnetwork"]["unmatched_sample"]) == (17, ["ghost-vm-77"])
    lineage = assets["web-prd-01"]["field_lineage"]["storage_gb"]
    assert lineage["data_import_id"] == str(inventory["id"]) and lineage["source_format"] == "rvtools_vinfo"


async def test_rvtools_csv_bundle(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / name for name in RVTOOLS])
    imports = await _imports(app_pool, e.ref)
    assert {n: (d["import_role"], d["status"]) for n, d in imports.items()} == {
        "RVTools_tabvInfo.csv": ("inventory", "completed"),
        "RVTools_tabvPartition.csv": ("supplement", "completed"),
        "RVTools_tabvNetwork.csv": ("supplement", "completed"),
    }
    await _check_rvtools(app_pool, e.ref, "RVTools_tabvInfo.csv")


def _excel_value(text: str) -> object:
    """A CSV cell as Excel holds it: numbers as numbers, True/False as booleans, the rest as text."""
    if text in ("True", "False"):
        return text == "True"
    try:
        return float(text)
    except ValueError:
        return text


def _rvtools_workbook(path: Path) -> Path:
    """The three RVTools CSVs as one workbook: trailing-space headers, the vInfo serial date kept a
    number, 40 formatted blank rows under every sheet."""
    workbook = xlsxwriter.Workbook(str(path))
    padding = workbook.add_format({"bg_color": "#DDEBF7", "border": 1})
    for name in RVTOOLS:
        sheet = workbook.add_worksheet(name.removeprefix("RVTools_tab").removesuffix(".csv"))
        with (FIXTURES / name).open(encoding="utf-8", newline="") as fh:
            table = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
        header = [h + "  " if h in ("VM", "Memory", "Capacity MiB") else h for h in table[0]]
        sheet.write_row(0, 0, header)
        for index, row in enumerate(table[1:], start=1):
            sheet.write_row(index, 0, [_excel_value(c) for c in row])
        for blank in range(len(table), len(table) + 40):
            for col in range(len(header)):
                sheet.write_blank(blank, col, None, padding)
    workbook.close()
    return path


async def test_rvtools_xlsx_workbook(app_pool, tmp_path) -> None:
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [_rvtools_workbook(tmp_path / "RVTools_export.xlsx")])
    imports = await _imports(app_pool, e.ref)
    assert imports["RVTools_export.xlsx"]["status"] == "completed"
    tables = imports["RVTools_export.xlsx"]["bundle_report"]["tables"]
    assert {name: t["format"] for name, t in tables.items()} == {
        "vInfo": "rvtools_vinfo", "vPartition": "rvtools_vpartition", "vNetwork": "rvtools_vnetwork"}
    assert run.results["data_import"].summary["rows"] == 12
    await _check_rvtools(app_pool, e.ref, "RVTools_export.xlsx")


async def test_rvtools_4_vinfo_maps_by_its_layout_without_review_or_guesses(app_pool) -> None:
    """RVTools 4.x, its full vInfo header: nothing waits for a person, HA restart priority, SRM placeholder
    and EVC mode stay custom attributes, every VM is a VMware VM, sized from vInfo with vPartition present."""
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [FIXTURES / "RVTools4_vInfo.csv", FIXTURES / "RVTools4_vPartition.csv"])
    mapping = run.results["attribute_mapping"].summary
    assert (mapping["needs_review"], mapping["blocking"]) == ([], [])
    assets = await _assets(app_pool, e.ref)
    assert set(assets) == {"app-01", "db-01", "win-01", "dr-app-01"}
    assert _column(assets, "is_virtual") == {n: True for n in assets}
    assert _column(assets, "hypervisor") == {n: "vmware" for n in assets}
    assert _column(assets, "hostname") == {n: None for n in assets}  # no column guessed onto it
    assert _column(assets, "business_criticality") == {n: None for n in assets}
    assert _column(assets, "host_name") == {"app-01": "esx-ams-01.lab.example.com", "db-01": "esx-ams-02.lab.example.com",
                                            "win-01": "esx-ams-01.lab.example.com",
                                            "dr-app-01": "esx-ams-03.lab.example.com"}
    # Provisioned MiB / 1024 and In Use MiB / 1024; the partitions (30 and 40 GiB) are detail only
    assert _column(assets, "storage_gb") == {"app-01": 216, "db-01": 1088, "win-01": 108, "dr-app-01": 52}
    assert _column(assets, "storage_used_gb") == {"app-01": 150, "db-01": 819, "win-01": 60, "dr-app-01": 0}
    assert _column(assets, "memory_gb") == {"app-01": 16, "db-01": 64, "win-01": 8, "dr-app-01": 16}
    app = assets["app-01"]["custom_attributes"]
    assert (app["HA Restart Priority"], app["SRM Placeholder"], app["min Required EVC Mode Key"]) == (
        "high", "False", "intel-broadwell")
    assert (app["com.vrlcm.snapshot"], app["guest_partitions_capacity_gb"], app["guest_partitions_used_gb"]) == (
        "nightly", "30.0", "12.0")
    assert assets["dr-app-01"]["custom_attributes"]["SRM Placeholder"] == "True"


async def test_older_rvtools_provisioned_mb_and_in_use_mb_size_the_vm(app_pool, tmp_path: Path) -> None:
    older = tmp_path / "RVTools_tabvInfo.csv"
    text = (FIXTURES / "RVTools4_vInfo.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    header = header.replace("Provisioned MiB", "Provisioned MB").replace("In Use MiB", "In Use MB").replace(
        "Total disk capacity MiB", "Total disk capacity MB")
    older.write_text(header + "\n" + rest, encoding="utf-8")
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [older])
    assert run.results["attribute_mapping"].summary["needs_review"] == []
    assets = await _assets(app_pool, e.ref)
    assert _column(assets, "storage_gb") == {"app-01": 216, "db-01": 1088, "win-01": 108, "dr-app-01": 52}
    assert _column(assets, "storage_used_gb") == {"app-01": 150, "db-01": 819, "win-01": 60, "dr-app-01": 0}


# ----------------------------------------------------------------------------- AWS ADS
AWS_SERVERS = {"srv-001": "ecom-web-01", "srv-002": "ecom-web-02", "srv-003": "ecom-api-01", "srv-004": "pay-db-01",
               "srv-005": "pay-db-02", "srv-006": "hr-app-01", "srv-007": "hr-db-01", "srv-008": "build-01",
               "srv-010": "rep-batch-01", "srv-011": "mon-01", "srv-012": "mon-02"}


async def test_aws_application_discovery_import(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "aws_ads_import.csv"])
    imported = (await _imports(app_pool, e.ref))["aws_ads_import.csv"]
    assert (imported["source_format"], imported["total_records"]) == ("aws_ads", 12)
    assets = await _assets(app_pool, e.ref)
    applications = {"Ecommerce", "Payments", "HR Portal", "Legacy Reports", "Monitoring", "Shared Services"}
    assert {n for n, a in assets.items() if a["asset_type"] == "application"} == applications
    servers = {a["external_id"]: n for n, a in assets.items() if a["asset_type"] == "server"}
    assert servers == {**AWS_SERVERS, None: "10.0.6.60"}  # the row identified by its IP alone
    assert assets["pay-db-01"]["memory_gb"] == Decimal(64)  # RAM.TotalSizeInMB 65536
    assert assets["ecom-web-01"]["memory_gb"] == Decimal(8)
    assert (assets["ecom-web-01"]["cpu_cores"], assets["ecom-api-01"]["cpu_sockets"]) == (2, 2)
    assert (assets["ecom-web-01"]["cpu_utilization_avg"], assets["ecom-web-01"]["cpu_utilization_peak"]) == (22.5, 71)
    assert assets["ecom-web-01"]["ip_addresses"] == ["10.0.1.10", "10.0.1.110"]
    assert assets["build-01"]["ip_addresses"] == ["10.0.5.50", "fd00::50"]
    assert assets["pay-db-01"]["operating_system"] == "Windows Server 2019"
    assert assets["ecom-web-01"]["operating_system"] == "Red Hat Enterprise Linux 8.6"
    assert assets["ecom-web-01"]["tags"] == {"env": "prod", "owner": "web-team"}
    assert assets["rep-batch-01"]["tags"] == {"env": "prod:eu", "owner": "reports"}  # a value may hold ':'
    assert assets["mon-02"]["tags"] == {"team": "ops", "tier": "2"}
    assert assets["mon-01"]["tags"] == {}
    assert "os_end_of_life" in assets["rep-batch-01"]["tech_debt_flags"]  # Oracle Linux 7.9
    assert assets["mon-01"]["tech_debt_flags"] == []
    runs_on = {(app, server) for app, server, kind, strength, port in await _edges(app_pool, e.ref)
               if (kind, strength, port) == ("runs_on", "hard", None)}
    assert runs_on == {
        ("Ecommerce", "ecom-web-01"), ("Payments", "ecom-web-01"), ("Ecommerce", "ecom-web-02"),
        ("Ecommerce", "ecom-api-01"), ("Payments", "ecom-api-01"), ("Payments", "pay-db-01"),
        ("Payments", "pay-db-02"), ("HR Portal", "hr-app-01"), ("HR Portal", "hr-db-01"),
        ("Legacy Reports", "rep-batch-01"), ("Legacy Reports", "10.0.6.60"), ("Monitoring", "mon-01"), ("Shared Services", "mon-01"),
        ("Monitoring", "mon-02"),
    }
    assert len(await _edges(app_pool, e.ref)) == 14
    assert set((await _evidence(app_pool, e.ref)).values()) == {"aws_ads_import.csv: AWS Applications"}


async def test_aws_row_identified_only_by_ip_is_an_asset(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "aws_ads_import.csv"])
    assert await _quarantined(app_pool, e.ref) == {}
    assets = await _assets(app_pool, e.ref)
    centos = [a for a in assets.values() if a["ip_address"] == "10.0.6.60"]
    assert len(centos) == 1 and centos[0]["operating_system"] == "CentOS 7"
    assert ("Legacy Reports", centos[0]["name"], "runs_on", "hard", None) in await _edges(app_pool, e.ref)


# ----------------------------------------------------------------------------- Azure Migrate
async def test_azure_migrate_with_dependency_export(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "azure_migrate_import.csv", FIXTURES / "azure_dependencies.csv"])
    imports = await _imports(app_pool, e.ref)
    assert (imports["azure_migrate_import.csv"]["source_format"], imports["azure_migrate_import.csv"]["valid_records"]
            ) == ("azure_migrate", 12)
    deps = imports["azure_dependencies.csv"]
    assert (deps["source_format"], deps["import_role"], deps["total_records"], deps["valid_records"],
            deps["quarantined_records"]) == ("azure_dependencies", "dependencies", 14, 12, 2)
    assert deps["error_summary"] == {"dangling_dependencies": ["ip:172.16.40.9"]}
    quarantined = await _quarantined(app_pool, e.ref)
    assert quarantined[("azure_dependencies.csv", 12)] == {"edge": ["no target server name or IP"]}
    assert "70000" in quarantined[("azure_dependencies.csv", 13)]["edge"][0]
    assets = await _assets(app_pool, e.ref)
    assert len(assets) == 12
    assert assets["az-sql-01"]["memory_gb"] == Decimal(64) and assets["az-jump-01"]["memory_gb"] == Decimal(2)
    # per-disk columns summed: az-sql-01 disks of 127 and 1024 GB, reads and writes of 3.5 + 2.8 and 45.0 + 38.0
    # MB/s, 140 + 110 and 1800 + 1500 operations/s; az-file-01 has one disk (2048 GB, 8.0 + 1.0 MB/s, 120 + 10)
    assert (assets["az-sql-01"]["storage_gb"], assets["az-sql-01"]["disk_throughput_mbps"],
            assets["az-sql-01"]["disk_iops_avg"]) == (Decimal(1151), pytest.approx(89.3), 3550)
    assert (assets["az-file-01"]["storage_gb"], assets["az-file-01"]["disk_throughput_mbps"],
            assets["az-file-01"]["disk_iops_avg"]) == (Decimal(2048), 9, 130)
    assert assets["az-sql-01"]["storage_used_gb"] == Decimal(900)  # "Storage in use (In GB)"
    assert assets["az-web-01"]["storage_used_gb"] == Decimal(70)
    assert assets["az-web-01"]["ip_addresses"] == ["10.2.0.11", "fe80::11"]
    assert assets["az-web-01"]["operating_system"] == "Windows Server 2019"
    assert assets["az-file-01"]["operating_system"] == "Windows Server 2012 R2"
    assert {n for n, flags in _flags(assets).items() if "os_end_of_life" in flags} == {
        "az-file-01", "az-mq-01", "az-batch-01", "az-jump-01"}  # 2012 R2, Ubuntu 20.04, CentOS 7, Windows 10
    tcp = ("communicates_with", "soft")
    assert await _edges(app_pool, e.ref) == {
        ("az-web-01", "az-app-01", *tcp, 8443), ("az-web-02", "az-app-02", *tcp, 8443),
        ("az-app-01", "az-sql-01", *tcp, 1433),
        ("az-app-02", "az-sql-01", *tcp, 1433),  # destination name blank: 10.2.2.31
        ("az-app-01", "az-mq-01", *tcp, 5672),   # destination name blank: 10.2.1.51
        ("az-batch-01", "az-file-01", *tcp, 445),
        ("az-lb-01", "az-web-01", *tcp, 443),    # source name blank: 10.2.0.2
    }
    evidence = await _evidence(app_pool, e.ref)
    assert evidence[("az-web-01", "az-app-01")] == "azure_dependencies.csv: observed connection w3wp.exe -> java"


async def test_loop_back_and_self_edges_are_dropped_and_counted_not_quarantined(app_pool, tmp_path: Path) -> None:
    """Connection monitors record a machine talking to itself (127.0.0.1, ::1, localhost, its own name): no
    dependency between machines, and nothing wrong with the row either."""
    deps = tmp_path / "dependency-export.csv"
    deps.write_text(
        "Time slot,Source server name,Source IP,Source application,Source process,Destination server name,"
        "Destination IP,Destination application,Destination process,Destination port\n"
        "2024-05-01 00:00,az-web-01,10.2.0.11,IIS,w3wp.exe,az-app-01,10.2.1.21,OrderService,java,8443\n"
        "2024-05-01 00:00,az-web-01,10.2.0.11,IIS,w3wp.exe,,127.0.0.1,,,8080\n"
        "2024-05-01 00:00,az-app-01,10.2.1.21,OrderService,java,localhost,,,,5672\n"
        "2024-05-01 00:00,,::1,,,az-sql-01,10.2.2.31,SQL Server,sqlservr.exe,1433\n"
        "2024-05-01 00:00,az-sql-01,10.2.2.31,SQL Server,sqlservr.exe,AZ-SQL-01,,,,1434\n"
        "2024-05-01 00:00,az-app-01,10.2.1.21,OrderService,java,,,,,1433\n")
    e_ref = (await make_engagement(app_pool)).ref
    run = await run_discovery(app_pool, e_ref, [FIXTURES / "azure_migrate_import.csv", deps])
    imported = (await _imports(app_pool, e_ref))["dependency-export.csv"]
    assert (imported["total_records"], imported["valid_records"], imported["quarantined_records"]) == (6, 1, 1)
    assert imported["bundle_report"]["dropped_edges"] == {"loop-back": 3, "self": 1}
    assert await _quarantined(app_pool, e_ref) == {("dependency-export.csv", 6): {"edge": ["no target server name or IP"]}}
    assert run.results["data_cleansing"].summary["files"]["dependency-export.csv"] == {
        "valid": 1, "quarantined": 1, "dropped_edges": 4}
    assert run.results["data_cleansing"].summary["dropped_edges"] == 4
    assert await _edges(app_pool, e_ref) == {("az-web-01", "az-app-01", "communicates_with", "soft", 8443)}
    assert imported["error_summary"] is None  # nothing dangles: the dropped rows name no machine to find


# ----------------------------------------------------------------------------- Google Migration Center
async def test_google_migration_center_bundle(app_pool) -> None:
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [FIXTURES / name for name in GOOGLE])
    mapping = run.results["attribute_mapping"].summary
    assert (mapping["needs_review"], mapping["blocking"]) == ([], [])  # vmInfo maps by its own table
    imports = await _imports(app_pool, e.ref)
    assert imports["vmInfo.csv"]["source_format"] == "google_vminfo"
    assert {n: imports[n]["import_role"] for n in GOOGLE} == {
        "vmInfo.csv": "inventory", "diskInfo.csv": "supplement", "perfInfo.csv": "supplement",
        "tagInfo.csv": "supplement"}
    assert all(d["status"] == "completed" for d in imports.values())
    assert (imports["vmInfo.csv"]["total_records"], imports["vmInfo.csv"]["valid_records"]) == (12, 12)
    joins = {s["format_id"]: s for s in imports["vmInfo.csv"]["bundle_report"]["supplements"]}
    assert {f: (s["rows"], s["machines"], s["unmatched_rows"]) for f, s in joins.items()} == {
        "google_diskinfo": (21, 11, 1), "google_perfinfo": (29, 10, 2), "google_taginfo": (13, 7, 1)}
    assert joins["google_diskinfo"]["problem_count"] == 1  # m-0010 D: 'lots'
    assert joins["google_perfinfo"]["problem_count"] == 1  # m-0009: 135 %
    assets = await _assets(app_pool, e.ref)
    assert len(assets) == 12
    disks = {n: (a["storage_gb"], a["storage_used_gb"], a["disk_count"]) for n, a in assets.items()}
    assert disks["gcp-web-01"] == (Decimal(60), Decimal(18), 2)
    assert disks["gcp-sql-01"] == (Decimal(1124), Decimal(700), 3)
    assert disks["gcp-file-01"] == (Decimal(2148), Decimal(1900), 2)
    assert disks["gcp-legacy-01"] == (Decimal(80), Decimal(60), 2)  # the 'lots' disk is skipped
    assert disks["gcp-old-02"] == (Decimal(120), Decimal(90), None)  # no diskInfo: vmInfo's totals
    perf = {n: (a["cpu_utilization_avg"], a["cpu_utilization_peak"], a["memory_utilization_avg"],
                a["memory_utilization_peak"]) for n, a in assets.items()}
    assert perf["gcp-web-01"] == (30, 60, 50, 60)
    assert perf["gcp-app-02"] == pytest.approx((55, 90, 73.333, 85))  # (65 + 70 + 85) / 3, to 3 decimals
    assert perf["gcp-mq-01"] == (15, 18, 50, 55)  # 'n/a' is no sample
    assert perf["gcp-bastion-01"] == (1, 1, 10, 10)  # 135 % refused
    assert perf["gcp-kiosk-01"] == (None, None, None, None)
    assert assets["gcp-web-01"]["tags"] == {"env": "prod", "app": "storefront"}
    assert assets["gcp-legacy-01"]["tags"] == {"env": "legacy; to-retire"}
    assert assets["gcp-app-02"]["tags"] == {}
    assert assets["gcp-web-01"]["memory_gb"] == Decimal(8) and assets["gcp-kiosk-01"]["memory_gb"] == Decimal(1)
    assert assets["gcp-web-01"]["external_id"] == "m-0001"
    assert _column(assets, "asset_type") == {n: "server" for n in assets}  # MachineTypeLabel is no asset type
    web = assets["gcp-web-01"]["custom_attributes"]
    assert (web["MachineTypeLabel"], web["OsType"], web["IsPhysical"], web["PublicIPAddress"]) == (
        "e2-standard-2", "Linux", "false", "34.89.10.11")
    assert assets["gcp-sql-01"]["operating_system"] == "Windows Server 2019"
    assert assets["gcp-web-01"]["operating_system"] == "Red Hat Enterprise Linux 8.6"
    assert _flags(assets) == {
        **{n: set() for n in assets},
        "gcp-app-01": {"os_end_of_life"}, "gcp-app-02": {"os_end_of_life"},  # Ubuntu 20.04
        "gcp-legacy-01": {"os_end_of_life", "powered_off"}, "gcp-old-02": {"os_end_of_life", "powered_off"},
    }


# ----------------------------------------------------------------------------- ServiceNow
async def test_servicenow_cmdb_with_relationships(app_pool) -> None:
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [FIXTURES / "cmdb_ci_server.csv", FIXTURES / "cmdb_rel_ci.csv"])
    mapping = run.results["attribute_mapping"].summary
    assert (mapping["needs_review"], mapping["blocking"]) == ([], [])  # the CI export maps by its own table
    imports = await _imports(app_pool, e.ref)
    inventory, relations = imports["cmdb_ci_server.csv"], imports["cmdb_rel_ci.csv"]
    assert (inventory["source_format"], inventory["total_records"], inventory["valid_records"]) == (
        "servicenow_cmdb_ci", 12, 12)
    assert (relations["source_format"], relations["total_records"], relations["valid_records"],
            relations["quarantined_records"]) == ("servicenow_rel_ci", 15, 12, 2)
    assert relations["error_summary"] == {
        "dangling_dependencies": ["name:decom-srv-09", "name:sn-db-cluster", "name:sn-esx-07"]}
    quarantined = await _quarantined(app_pool, e.ref)
    assert set(quarantined) == {("cmdb_rel_ci.csv", 12), ("cmdb_rel_ci.csv", 14)}
    # row 13, sn-file-01 depending on itself, is no bad row: dropped and counted
    assert relations["bundle_report"]["dropped_edges"] == {"self": 1}
    assert run.results["data_cleansing"].summary["dropped_edges"] == 1
    assets = await _assets(app_pool, e.ref)
    assert len(assets) == 11  # sn-web-01 is listed twice under two sys_ids
    web = assets["sn-web-01"]
    assert web["field_lineage"]["name"]["data_import_id"] == str(inventory["id"])
    conflicts = await rows(app_pool, e.ref, "SELECT field FROM migration.asset_merge_conflicts WHERE asset_id = $1",
                           web["id"])
    assert {c["field"] for c in conflicts} == {"cmdb_id"}
    assert _column(assets, "serial_number") == {
        "sn-web-01": "VMware-42 1a 3c 5f 1e 2d 7a 11", "sn-web-02": "VMware-42 1a 3c 5f 1e 2d 7a 12",
        "sn-app-01": None, "sn-db-01": "CZ1234ABCD", "sn-db-02": "CZ1234ABCE", "sn-file-01": None,
        "sn-legacy-01": None, "sn-mq-01": "VMware-42 1a 3c 5f 1e 2d 7a 18",
        "sn-test-01": "VMware-42 1a 3c 5f 1e 2d 7a 19", "sn-lb-01": None, "Order Service": None,
    }
    assert _column(assets, "asset_type") == {
        **{n: "server" for n in assets}, "sn-lb-01": "load_balancer", "Order Service": "application"}
    assert _column(assets, "environment") == {
        **{n: "production" for n in assets}, "sn-db-02": "disaster_recovery", "sn-test-01": "test"}
    assert _column(assets, "business_criticality") == {
        **{n: "critical" for n in assets}, "sn-app-01": "high", "sn-mq-01": "high", "sn-file-01": "medium",
        "sn-test-01": "medium", "sn-legacy-01": "low"}
    assert {n: assets[n]["operating_system"] for n in ("sn-web-01", "sn-db-01", "sn-file-01", "sn-legacy-01",
                                                       "sn-mq-01")} == {
        "sn-web-01": "Red Hat Enterprise Linux 9", "sn-db-01": "Windows Server 2019",
        "sn-file-01": "Windows Server 2012 R2", "sn-legacy-01": "Windows Server 2008 R2",
        "sn-mq-01": "SUSE Linux Enterprise Server 15"}
    # ram is MB (131072 / 1024), disk_space GB
    assert (assets["sn-db-01"]["memory_gb"], assets["sn-db-01"]["storage_gb"]) == (Decimal(128), Decimal(2048))
    db = assets["sn-db-01"]
    assert (db["business_owner"], db["technical_owner"], db["location"]) == ("Ana Lopez", "DBA Team", "London DC1")
    custom = db["custom_attributes"]  # the fields the table does not know, never guessed onto a column
    assert (custom["cpu_core_count"], custom["support_group"], custom["discovery_source"]) == ("16", "Database", "SCCM")
    assert {n for n, flags in _flags(assets).items() if "os_end_of_life" in flags} == {
        "sn-file-01", "sn-legacy-01", "sn-test-01"}
    assert await _edges(app_pool, e.ref) == {
        ("Order Service", "sn-app-01", "depends_on", "hard", None),
        ("Order Service", "sn-db-01", "depends_on", "hard", 1433),
        ("Order Service", "sn-legacy-01", "depends_on", "hard", None),
        ("sn-web-01", "sn-app-01", "consumes", "soft", 8443),  # listed twice, one edge
        ("sn-web-02", "sn-app-01", "consumes", "soft", 8443),
        ("sn-app-01", "sn-mq-01", "depends_on", "soft", 5672),  # unknown type 'Sends data to'
        ("sn-web-01", "sn-lb-01", "runs_on", "hard", None),     # child named by sys_id
    }
    evidence = await _evidence(app_pool, e.ref)
    assert evidence[("sn-web-01", "sn-app-01")] == "cmdb_rel_ci.csv: Consumes::Consumed by"
    assert "Sends data to" in evidence[("sn-app-01", "sn-mq-01")]


# Lifecycle states (ADR-0015): ServiceNow codes and labels, per column; an unknown label is dropped, recorded.
LIFECYCLE = {
    "lc-web-01": ("in_service", "in_service"), "lc-app-01": ("in_service", "in_service"),
    "lc-db-01": ("in_service", "in_service"), "lc-old-01": ("retired", "retired"), "lc-old-02": ("retired", "retired"),
    "lc-dead-01": ("in_service", "non_operational"), "lc-dead-02": ("in_service", "non_operational"),
    "lc-spare-01": ("in_stock", None), "lc-spare-02": ("in_stock", None), "lc-lost-01": ("absent", None),
    "lc-lost-02": ("absent", None), "lc-stolen-01": ("absent", None), "lc-fix-01": ("in_maintenance", "in_maintenance"),
    "lc-odd-01": (None, "in_service"),
}


async def test_servicenow_install_and_operational_status_become_lifecycle_states(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "cmdb_ci_lifecycle.csv", FIXTURES / "cmdb_rel_ci_lifecycle.csv"])
    mappings = await rows(app_pool, e.ref, "SELECT source_field, target_field, status FROM migration.import_field_mappings"
                                           " WHERE source_field IN ('install_status', 'operational_status')")
    assert {(m["source_field"], m["target_field"], m["status"]) for m in mappings} == {
        ("install_status", "lifecycle_state", "approved"), ("operational_status", "operational_state", "approved")}
    assets = await _assets(app_pool, e.ref)
    assert {n: (a["lifecycle_state"], a["operational_state"]) for n, a in assets.items()} == LIFECYCLE
    assert await _quarantined(app_pool, e.ref) == {}  # an unknown status keeps its row
    assert {"field": "lifecycle_state", "from": "Awaiting audit", "to": None,
            "rule": "install_status_unrecognised"} in assets["lc-odd-01"]["cleansing_changes"]
    assert {"field": "lifecycle_state", "from": "7", "to": "retired",
            "rule": "install_status_alias"} in assets["lc-old-01"]["cleansing_changes"]


MIXED_TYPES = {
    "server": ("mx-web-01", "mx-app-01", "mx-sql-01", "mx-esx-01", "mx-vm-01", "mx-vm-02", "mx-legacy-01"),
    "network": ("mx-sw-01", "mx-rtr-01", "mx-fw-01"),
    "load_balancer": ("mx-lb-01",),
    "service": ("Online Shop", "Shop Frontend"),
    "application": ("Shop", "Tomcat@mx-app-01"),
    "database": ("MSSQLSERVER@mx-sql-01", "ORCL@mx-vm-01"),
    "storage": ("mx-san-01", "mx-nas-fs01"),
    "cluster": ("mx-vc-cluster-01",),
    "container": ("mx-k8s-01",),
    "other": ("mx-pc-0042", "mx-ups-01"),
}


async def test_servicenow_cmdb_of_every_ci_class_keeps_every_ci_and_edge(app_pool) -> None:
    """Seventeen CI classes beside the servers' (cmdb_ci_mixed.csv): every CI lands as an asset of its type, so
    every relationship of cmdb_rel_ci_mixed.csv resolves, by name, sys_id or IP."""
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "cmdb_ci_mixed.csv", FIXTURES / "cmdb_rel_ci_mixed.csv"])
    imports = await _imports(app_pool, e.ref)
    inventory, relations = imports["cmdb_ci_mixed.csv"], imports["cmdb_rel_ci_mixed.csv"]
    assert (inventory["total_records"], inventory["valid_records"], inventory["quarantined_records"]) == (23, 23, 0)
    assert (relations["total_records"], relations["valid_records"], relations["quarantined_records"]) == (22, 22, 0)
    assert not (relations["error_summary"] or {}).get("dangling_dependencies")
    assert await _quarantined(app_pool, e.ref) == {}
    assets = await _assets(app_pool, e.ref)
    assert _column(assets, "asset_type") == {name: t for t, names in MIXED_TYPES.items() for name in names}
    with (FIXTURES / "cmdb_ci_mixed.csv").open(newline="") as fh:
        classes = {row["name"]: row["sys_class_name"] for row in csv.DictReader(fh)}
    assert _column(assets, "source_class") == classes  # every class is kept, the unknown cmdb_ci_ups too
    assert assets["mx-ups-01"]["field_lineage"]["source_class"]["data_import_id"] == str(inventory["id"])
    assert {n: assets[n]["is_virtual"] for n in ("mx-vm-01", "mx-vm-02", "mx-esx-01", "mx-sw-01")} == {
        "mx-vm-01": True, "mx-vm-02": True, "mx-esx-01": None, "mx-sw-01": None}

    edges = await _edges(app_pool, e.ref)
    assert len(edges) == 22  # one per relationship: none dangles, none is dropped
    hard, soft = ("depends_on", "hard"), ("depends_on", "soft")
    assert edges == {
        ("Shop", "Shop Frontend", "consumes", "soft", None),
        ("Online Shop", "Shop Frontend", *hard, None),
        ("Shop Frontend", "mx-lb-01", *hard, 443),
        ("Shop Frontend", "Tomcat@mx-app-01", *hard, None),
        ("Shop Frontend", "MSSQLSERVER@mx-sql-01", *hard, 1433),
        ("Shop Frontend", "mx-web-01", *hard, None),
        ("Tomcat@mx-app-01", "mx-app-01", "runs_on", "hard", None),
        ("MSSQLSERVER@mx-sql-01", "mx-sql-01", "runs_on", "hard", None),
        ("ORCL@mx-vm-01", "mx-vm-01", "runs_on", "hard", None),
        ("mx-vm-01", "mx-esx-01", "runs_on", "hard", None),
        ("mx-esx-01", "mx-vc-cluster-01", "member_of", "soft", None),  # Members::Member of: the member's edge
        ("mx-web-01", "mx-sw-01", *soft, None),  # unknown types are soft dependencies
        ("mx-sw-01", "mx-rtr-01", *soft, None),
        ("mx-rtr-01", "mx-fw-01", *soft, None),
        ("mx-sql-01", "mx-san-01", *soft, None),
        ("mx-app-01", "mx-nas-fs01", *soft, None),
        ("mx-k8s-01", "mx-vm-02", "runs_on", "hard", None),
        ("mx-esx-01", "mx-ups-01", *soft, None),
        ("mx-pc-0042", "Online Shop", *soft, None),
        ("mx-web-01", "Tomcat@mx-app-01", "consumes", "soft", 8080),  # child named by its sys_id
        ("mx-legacy-01", "MSSQLSERVER@mx-sql-01", *hard, 1433),
        ("mx-app-01", "mx-sql-01", *hard, 1433),  # child named by its IP address
    }


async def test_a_servicenow_export_with_display_values_maps_without_review(app_pool, tmp_path: Path) -> None:
    """A list export with `.display_value` / `.value` columns: the names win over the references' sys_ids,
    codes and labels both read, and a field the table does not know stays a custom attribute."""
    export = tmp_path / "cmdb_ci_server_export.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sys_id.value", "name.display_value", "sys_class_name.value", "ram.display_value",
                         "disk_space.display_value", "install_status.value", "owned_by.value",
                         "owned_by.display_value", "u_cost_code.display_value"])
        writer.writerow(["0a1b2c3d4e5f60718293a4b5c6d7e8a1", "dv-web-01", "cmdb_ci_linux_server", "8,192", "100", "1",
                         "6816f79cc0a8016401c5a33be04be441", "Jane Smith", "CC-1042"])
        writer.writerow(["0a1b2c3d4e5f60718293a4b5c6d7e8a2", "dv-old-01", "cmdb_ci_win_server", "4096", "60", "7",
                         "6816f79cc0a8016401c5a33be04be442", "Raj Patel", "CC-2001"])
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [export])
    mapping = run.results["attribute_mapping"].summary
    assert (mapping["needs_review"], mapping["blocking"]) == ([], [])
    assert (await _imports(app_pool, e.ref))[export.name]["source_format"] == "servicenow_cmdb_ci"
    assets = await _assets(app_pool, e.ref)
    assert {n: (a["cmdb_id"], a["memory_gb"], a["storage_gb"], a["lifecycle_state"], a["business_owner"])
            for n, a in assets.items()} == {
        "dv-web-01": ("0a1b2c3d4e5f60718293a4b5c6d7e8a1", Decimal(8), Decimal(100), "in_service", "Jane Smith"),
        "dv-old-01": ("0a1b2c3d4e5f60718293a4b5c6d7e8a2", Decimal(4), Decimal(60), "retired", "Raj Patel")}
    assert _column(assets, "asset_type") == {"dv-web-01": "server", "dv-old-01": "server"}
    web = assets["dv-web-01"]["custom_attributes"]
    assert (web["u_cost_code.display_value"], web["owned_by.value"]) == ("CC-1042", "6816f79cc0a8016401c5a33be04be441")


def _rvtools_vinfo_without_capacity(tmp_path: Path) -> Path:
    """The RVTools vInfo fixture without its capacity and disk columns (a trimmed export)."""
    with (FIXTURES / "RVTools_tabvInfo.csv").open(newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    dropped = {"Total disk capacity MiB", "Provisioned MiB", "In Use MiB", "Unshared MiB", "Disks"}
    path = tmp_path / "RVTools_tabvInfo.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [h for h in table[0] if h.strip() not in dropped], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(table)
    return path


async def test_rvtools_vdisk_sizes_vms_where_vinfo_has_no_capacity(app_pool, tmp_path: Path) -> None:
    """vDisk's disks (Capacity MiB) are summed per VM and counted when vInfo has no capacity; nothing waits
    for a review, and vDisk's own columns are detail, not asset columns."""
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [_rvtools_vinfo_without_capacity(tmp_path),
                                                FIXTURES / "RVTools_tabvDisk.csv"])
    mapping = run.results["attribute_mapping"].summary
    assert (mapping["needs_review"], mapping["blocking"]) == ([], [])
    imports = await _imports(app_pool, e.ref)
    assert imports["RVTools_tabvDisk.csv"]["import_role"] == "supplement"
    [disks] = imports["RVTools_tabvInfo.csv"]["bundle_report"]["supplements"]
    assert (disks["format_id"], disks["rows"], disks["machines"], disks["unmatched_rows"]) == (
        "rvtools_vdisk", 10, 5, 1)  # ghost-01 is no VM of vInfo
    assets = await _assets(app_pool, e.ref)
    sized = {n: (a["storage_gb"], a["disk_count"]) for n, a in assets.items() if a["storage_gb"] is not None}
    # 40960 + 20480 MiB; 102400 + 307200 + 409600 + 229376 MiB; 102400 MiB
    assert sized == {"web-prd-01": (Decimal(60), 2), "web-prd-02": (Decimal(60), 2),
                     "db-prd-01": (Decimal(1024), 4), "win-dc-01": (Decimal(100), 1)}


async def test_rvtools_vinfo_capacity_wins_over_vdisk(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "RVTools_tabvInfo.csv", FIXTURES / "RVTools_tabvDisk.csv"])
    assets = await _assets(app_pool, e.ref)
    # Provisioned MiB 63488 and 1050624 (the disks sum to 60 and 1024 GB); Disks 2 and 4
    assert {n: (assets[n]["storage_gb"], assets[n]["disk_count"]) for n in ("web-prd-01", "db-prd-01")} == {
        "web-prd-01": (Decimal(62), 2), "db-prd-01": (Decimal(1026), 4)}


# ----------------------------------------------------------------------------- Konveyor
async def test_konveyor_application_import(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "konveyor_applications.csv"])
    imported = (await _imports(app_pool, e.ref))["konveyor_applications.csv"]
    assert (imported["source_format"], imported["total_records"], imported["valid_records"],
            imported["quarantined_records"]) == ("konveyor_applications", 9, 8, 1)
    quarantined = await _quarantined(app_pool, e.ref)
    assert list(quarantined.values()) == [{"import": ["record type '3' is neither 1 (application) nor 2 (dependency)"]}]
    assets = await _assets(app_pool, e.ref)
    assert _column(assets, "asset_type") == {n: "application" for n in (
        "Customers", "Inventory", "Orders", "Gateway", "Payments", "Ledger", "Reports", "Notifications")}
    assert assets["Customers"]["tags"] == {"Operating System": "RHEL 8", "Database": "Oracle", "Language": "Java"}
    assert assets["Notifications"]["tags"] == {}
    assert assets["Customers"]["description"] == "Legacy customer management service"
    assert assets["Payments"]["business_owner"] == "Ana Lopez <ana.lopez@acme.example>"
    assert assets["Payments"]["application_name"] == "Finance"
    hard = ("depends_on", "hard", None)
    assert await _edges(app_pool, e.ref) == {
        ("Customers", "Inventory", *hard), ("Orders", "Inventory", *hard), ("Orders", "Customers", *hard),
        ("Gateway", "Orders", *hard),   # 'Southbound' in another case
        ("Orders", "Payments", *hard),  # Payments northbound of Orders: Orders calls Payments
        ("Payments", "Ledger", *hard),
    }
    problems = imported["bundle_report"]["edge_problems"]
    assert {p["reason"] for p in problems} == {"dependency direction 'sideways' is not northbound or southbound",
                                               "no dependency named"}


# ----------------------------------------------------------------------------- AWS CMF
CMF_SERVERS = ("cmf-web-01", "cmf-web-02", "cmf-app-01", "cmf-pay-01", "cmf-paydb-01", "cmf-hr-01", "cmf-rep-01",
               "cmf-rep-02", "cmf-build-01", "cmf-ftp-01", "cmf-mon-01", "cmf-mon-02")


async def test_cloud_migration_factory_intake(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "cmf_intake.csv"])
    imported = (await _imports(app_pool, e.ref))["cmf_intake.csv"]
    assert (imported["source_format"], imported["valid_records"]) == ("aws_cmf", 12)
    assets = await _assets(app_pool, e.ref)
    assert set(assets) == set(CMF_SERVERS)
    assert _column(assets, "environment") == {
        **{n: "production" for n in assets}, "cmf-rep-02": "test", "cmf-build-01": "development"}
    assert assets["cmf-pay-01"]["application_name"] == "Payments"
    assert assets["cmf-web-01"]["fqdn"] == "cmf-web-01.corp.example.com"
    # the intake's wave is the asset's requested wave (the plan sets wave_number), its region the target region
    assert (assets["cmf-rep-01"]["requested_wave"], assets["cmf-rep-01"]["target_region"]) == ("Wave3", "eu-west-1")
    assert {a["requested_wave"] for a in assets.values()} == {"Wave1", "Wave2", "Wave3", "Wave4"}
    assert {a["wave_number"] for a in assets.values()} == {None}
    assert assets["cmf-web-01"]["tags"] == {"env": "prod", "app": "storefront"}
    assert assets["cmf-ftp-01"]["tags"] == {}


async def test_cloud_migration_factory_operating_systems(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "cmf_intake.csv"])
    assets = await _assets(app_pool, e.ref)
    assert assets["cmf-web-01"]["operating_system"] == "Red Hat Enterprise Linux 8.6"
    assert assets["cmf-pay-01"]["operating_system"] == "Windows Server 2019"
    assert {n for n, flags in _flags(assets).items() if "os_end_of_life" in flags} == {
        "cmf-ftp-01", "cmf-rep-01", "cmf-rep-02"}  # Windows Server 2008 R2, CentOS 7


# ----------------------------------------------------------------------------- JSON, JSON Lines, generic CSV
JSON_SERVERS = [
    {"name": "json-web-01", "ip_address": ["10.9.0.11", "10.9.0.12"], "os": {"name": "Ubuntu 22.04"},
     "memory_gb": 4, "environment": "PROD", "tags": {"team": "web"}},
    {"name": "json-db-01", "ip_address": ["10.9.1.21"], "os": {"name": "Windows Server 2012 R2 Standard"},
     "memory_gb": 32, "environment": "uat", "tags": {}},
    {"name": "json-app-01", "ip_address": [], "os": {"name": "RHEL 7.9"}, "memory_gb": None, "environment": "Dev"},
]


def _check_json_assets(assets: dict[str, dict]) -> None:
    assert set(assets) == {"json-web-01", "json-db-01", "json-app-01"}
    assert assets["json-web-01"]["ip_addresses"] == ["10.9.0.11", "10.9.0.12"]
    assert assets["json-web-01"]["operating_system"] == "Ubuntu 22.04"
    assert assets["json-db-01"]["operating_system"] == "Windows Server 2012 R2"
    assert _column(assets, "memory_gb") == {"json-web-01": Decimal(4), "json-db-01": Decimal(32), "json-app-01": None}
    assert _column(assets, "environment") == {"json-web-01": "production", "json-db-01": "uat",
                                              "json-app-01": "development"}
    assert {n for n, flags in _flags(assets).items() if "os_end_of_life" in flags} == {"json-db-01", "json-app-01"}


async def test_json_inventory(app_pool, tmp_path) -> None:
    path = tmp_path / "servers.json"
    path.write_text(json.dumps({"exported": "2024-05-01", "servers": JSON_SERVERS}, indent=2), encoding="utf-8")
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [path])
    assert run.results["data_import"].summary["files"][0]["format"] == "generic"
    _check_json_assets(await _assets(app_pool, e.ref))


async def test_json_lines_inventory(app_pool, tmp_path) -> None:
    path = tmp_path / "servers.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in JSON_SERVERS) + "\n", encoding="utf-8")
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [path])
    _check_json_assets(await _assets(app_pool, e.ref))


async def test_generic_semicolon_csv_in_windows_1252(app_pool, tmp_path) -> None:
    path = tmp_path / "Serverliste.csv"
    path.write_bytes("\r\n".join([
        "Server Name;IP Address;Operating System;RAM (MB);Environment;Business Owner;Criticality",
        "fra-web-01;10.7.0.11;Windows Server 2019 Standard;8192;Production;Jürgen Müller;1",
        "fra-db-01;10.7.0.21;SLES 12 SP5;65536;prod;Renée Faßbender;tier 2",
        "fra-tst-01;10.7.9.11;Ubuntu 22.04;4096;test;Zoë Ångström (€ budget);3",
    ]).encode("cp1252"))
    e = await make_engagement(app_pool)
    run = await run_discovery(app_pool, e.ref, [path])
    staged = run.results["data_import"].summary["files"][0]
    assert (staged["encoding"], staged["delimiter"], staged["format"]) == ("cp1252", ";", "generic")
    assets = await _assets(app_pool, e.ref)
    assert _column(assets, "business_owner") == {"fra-web-01": "Jürgen Müller", "fra-db-01": "Renée Faßbender",
                                                 "fra-tst-01": "Zoë Ångström (€ budget)"}
    assert _column(assets, "memory_gb") == {"fra-web-01": Decimal(8), "fra-db-01": Decimal(64),
                                            "fra-tst-01": Decimal(4)}
    assert _column(assets, "business_criticality") == {"fra-web-01": "critical", "fra-db-01": "high",
                                                       "fra-tst-01": "medium"}
    assert assets["fra-db-01"]["operating_system"] == "SUSE Linux Enterprise Server 12 SP5"
    assert {n for n, flags in _flags(assets).items() if "os_end_of_life" in flags} == {"fra-db-01"}  # SLES 12


# ----------------------------------------------------------------------------- re-imports
_COMPARED = ("name", "external_id", "memory_gb", "storage_gb", "storage_used_gb", "ip_addresses", "mac_addresses",
             "operating_system", "power_state", "is_template", "custom_attributes", "tech_debt_flags")


async def _finish_launch(pool, run: DiscoveryRun) -> None:
    """Complete a run's master flow, as a finished launch does, so the engagement can be launched again."""
    master = run.step.master_flow_id
    request = TransitionRequest(tenant=run.step.tenant, master_flow_id=master, flow_id=master, seq=3,
                                event="flow_completed", occurred_at=datetime.now(UTC), master_status="completed")
    await ActivityEnvironment().run(TransitionActivities(pool).record_transition, request)


async def test_reimport_changes_nothing_and_an_updated_file_updates(app_pool, tmp_path) -> None:
    e = await make_engagement(app_pool)
    files = [FIXTURES / name for name in RVTOOLS]
    await _finish_launch(app_pool, await run_discovery(app_pool, e.ref, files))
    before = {n: {c: a[c] for c in _COMPARED} for n, a in (await _assets(app_pool, e.ref)).items()}
    ids = {n: a["id"] for n, a in (await _assets(app_pool, e.ref)).items()}

    await _finish_launch(app_pool, await run_discovery(app_pool, e.ref, files))
    again = await _assets(app_pool, e.ref)
    assert {n: {c: a[c] for c in _COMPARED} for n, a in again.items()} == before
    assert {n: a["id"] for n, a in again.items()} == ids
    conflicts = await rows(app_pool, e.ref, "SELECT count(*) AS n FROM migration.asset_merge_conflicts")
    assert conflicts[0]["n"] == 0

    updated = tmp_path / "RVTools_tabvInfo.csv"  # the same file, re-exported after web-prd-01 grew to 16 GiB
    text = (FIXTURES / "RVTools_tabvInfo.csv").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("web-prd-01,"))
    updated.write_text(text.replace(line, line.replace(",2,0.1,8192,1310,", ",2,0.1,16384,1310,")), encoding="utf-8")
    run = await run_discovery(app_pool, e.ref, [updated, *files[1:]])
    after = await _assets(app_pool, e.ref)
    assert {n: a["id"] for n, a in after.items()} == ids
    assert after["web-prd-01"]["memory_gb"] == Decimal(16)
    assert after["web-prd-01"]["field_lineage"]["memory_gb"]["data_import_id"] == str(run.step.data_import_ids[0])
    changed = {n for n, a in after.items() if {c: a[c] for c in _COMPARED} != before[n]}
    assert changed == {"web-prd-01"}


# ----------------------------------------------------------------------------- accepting every suggestion
@pytest.mark.parametrize(
    "files",
    [("vmInfo.csv",), ("cmf_intake.csv",), ("konveyor_applications.csv",), ("RVTools_tabvInfo.csv",),
     ("azure_migrate_import.csv",)],
)
async def test_accepting_every_suggestion_keeps_the_rows(app_pool, files: tuple[str, ...]) -> None:
    """A person who accepts all remaining suggestions gets as many assets as one who reviews nothing:
    guesses whose values do not fit their target were withdrawn before anyone saw them."""
    reviewed, unreviewed = await make_engagement(app_pool), await make_engagement(app_pool)
    await run_discovery(app_pool, reviewed.ref, [FIXTURES / f for f in files], reviewer=reviewed.owner_id)
    await run_discovery(app_pool, unreviewed.ref, [FIXTURES / f for f in files])
    assert await _quarantined(app_pool, reviewed.ref) == await _quarantined(app_pool, unreviewed.ref)
    assert len(await _assets(app_pool, reviewed.ref)) == len(await _assets(app_pool, unreviewed.ref))


# ----------------------------------------------------------------------------- what a person sees of one asset
async def test_an_asset_shows_where_each_value_came_from(app_pool) -> None:
    e = await make_engagement(app_pool)
    await run_discovery(app_pool, e.ref, [FIXTURES / "cmdb_ci_server.csv", FIXTURES / "cmdb_rel_ci.csv"])
    [disputed] = await rows(app_pool, e.ref, "SELECT a.name FROM migration.assets a WHERE EXISTS (SELECT FROM "
                                             "migration.asset_merge_conflicts c WHERE c.asset_id = a.id) LIMIT 1")
    detail = await import_review.asset_detail(app_pool, e.ref, disputed["name"].upper())  # names ignore case
    assert detail["name"] == disputed["name"]
    assert detail["field_lineage"]["name"]["file_name"] == "cmdb_ci_server.csv"
    assert isinstance(detail["field_lineage"]["name"]["row_number"], int)
    assert detail["conflicts"] and detail["conflicts"][0]["file_name"] == "cmdb_ci_server.csv"
    assert all({"field", "from", "to", "rule"} <= set(change) for change in detail["cleansing_changes"])
    assert (await import_review.asset_detail(app_pool, e.ref, str(detail["id"])))["id"] == detail["id"]
    with pytest.raises(LookupError, match="no asset 'nope'"):
        await import_review.asset_detail(app_pool, e.ref, "nope")
