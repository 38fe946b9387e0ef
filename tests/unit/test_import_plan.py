"""Roles of the files of one import, and what is staged from each, on real files."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest
import xlsxwriter

from domain.discovery.import_plan import InputFileError, import_roles, inventory_needed, planned_import

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()
    return path


def test_a_workbook_stages_its_recognised_sheet_and_lists_the_others(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "export.xlsx", {
        "Notes": [["Remark", "Author"], ["exported for the DC exit", "ops"]],
        "vInfo": _rows(FIXTURES / "RVTools_tabvInfo.csv"),
        "vPartition": _rows(FIXTURES / "RVTools_tabvPartition.csv"),
    })
    import_id = uuid.uuid4()
    with planned_import({import_id: path}) as plan:
        [planned] = plan
        assert (planned.role, planned.format_id, planned.table.name) == ("inventory", "rvtools_vinfo", "vInfo")
        while planned.table.next_batch(100):
            pass
        report = planned.report()
    assert report["skipped_tables"] == ["Notes"]
    assert report["tables"]["vPartition"]["role"] == "supplement"
    assert [s["names"] for s in report["supplements"]] == [["vPartition"]]


def test_inventory_first_then_dependencies_then_supplements(tmp_path: Path) -> None:
    files = {uuid.uuid4(): FIXTURES / name for name in ("diskInfo.csv", "cmdb_rel_ci.csv", "vmInfo.csv")}
    with planned_import(files) as plan:
        assert [(p.file_name, p.role) for p in plan] == [
            ("vmInfo.csv", "inventory"), ("cmdb_rel_ci.csv", "dependencies"), ("diskInfo.csv", "supplement")]
        supplement = plan[2]
        assert supplement.table is None and supplement.report()["joined_into"] == "vmInfo.csv"


def test_a_supplement_alone_is_refused_whole() -> None:
    with pytest.raises(InputFileError, match="diskInfo.csv needs .*vmInfo.csv"):
        with planned_import({uuid.uuid4(): FIXTURES / "diskInfo.csv"}):
            pass


def test_an_unknown_layout_is_a_generic_inventory(tmp_path: Path) -> None:
    path = tmp_path / "servers.csv"
    path.write_text("Box,Colour\nweb-01,blue\n", encoding="utf-8")
    with planned_import({uuid.uuid4(): path}) as [planned]:
        assert (planned.role, planned.format_id) == ("inventory", "generic")


CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
DEPENDENCY_EXPORT = CORPUS / "azure-migrate-move-group-planner__dependency-export-sample.csv"


def test_roles_of_an_import_before_anything_is_uploaded() -> None:
    """The real Azure Migrate dependency export (no Source IP, `Timeslot` in one word) is a dependency export."""
    roles = import_roles([FIXTURES / "azure_migrate_import.csv", DEPENDENCY_EXPORT])
    assert roles == [("azure_migrate_import.csv", "inventory"), (DEPENDENCY_EXPORT.name, "dependencies")]
    assert inventory_needed(roles) is None
    with pytest.raises(InputFileError, match="diskInfo.csv needs the vmInfo.csv it describes in the same import"):
        import_roles([FIXTURES / "diskInfo.csv"])


def test_a_dependency_export_alone_brings_no_machines_and_says_so() -> None:
    alone = import_roles([DEPENDENCY_EXPORT])
    assert alone == [(DEPENDENCY_EXPORT.name, "dependencies")]
    assert inventory_needed(alone) == (
        f"{DEPENDENCY_EXPORT.name} is a dependency export (edges between machines): launch it together with the "
        "inventory it connects, or into an engagement that already has one")
    two = import_roles([DEPENDENCY_EXPORT, FIXTURES / "cmdb_rel_ci.csv"])
    assert inventory_needed(two) == (
        f"{DEPENDENCY_EXPORT.name} and cmdb_rel_ci.csv are dependency exports (edges between machines): launch them "
        "together with the inventory they connect, or into an engagement that already has one")


CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
ASSESSMENT = CORPUS / "azure-docs-powershell-samples__As is PAYG.xlsx"
SOFTWARE = CORPUS / "azure-docs-powershell-samples__Application Inventory Export Sample.xlsx"


def test_an_azure_assessment_workbook_stages_its_machines_with_their_disks_and_says_why_it_skips_the_rest() -> None:
    with planned_import({uuid.uuid4(): ASSESSMENT}) as plan:
        [planned] = plan
        assert (planned.role, planned.format_id, planned.table.name) == (
            "inventory", "azure_migrate_assessment", "All_Assessed_Machines")
        rows = []
        while batch := planned.table.next_batch(1000):
            rows.extend(batch)
        report = planned.report()
    assert len(rows) == 547
    first = rows[0].values  # VM020.WORKGROUP: disks of 127 and 39.99 GB, written over its own Storage(GB) of 167
    assert (first["Machine"], first["Storage(GB)"], first["disk_count"]) == ("VM020.WORKGROUP", "166.99", "2")
    assert report["tables"]["All_Assessed_Disks"]["role"] == "supplement"
    [disks] = report["supplements"]
    assert (disks["rows"], disks["machines"], disks["unmatched_rows"]) == (1385, 546, 0)
    assert report["skipped_tables"] == ["Assessment_Summary", "Assessment_Properties"]
    assert report["skipped_reasons"]["Assessment_Properties"] == (
        "key/value rows (Property, Selected value), not a table of machines")


def test_a_software_inventory_is_refused_naming_the_file_before_and_during_discovery() -> None:
    for attempt in (lambda: import_roles([SOFTWARE]), lambda: planned_import({uuid.uuid4(): SOFTWARE}).__enter__()):
        with pytest.raises(InputFileError) as refused:
            attempt()
        assert str(refused.value).startswith(f"{SOFTWARE.name} (sheet 'ApplicationInventory') is an Azure Migrate "
                                             "software inventory: it lists the applications")


def test_a_software_sheet_beside_a_machine_sheet_is_skipped_with_its_reason(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "estate.xlsx", {
        "Software": [["MachineName", "Application", "Version", "Provider"], ["web01", "nginx", "1.24", "F5"]],
        "vInfo": _rows(FIXTURES / "RVTools_tabvInfo.csv"),
    })
    with planned_import({uuid.uuid4(): path}) as plan:
        [planned] = plan
        assert (planned.format_id, planned.table.name) == ("rvtools_vinfo", "vInfo")
        reasons = planned.notes["skipped_reasons"]
    assert reasons["Software"].startswith("an Azure Migrate software inventory: it lists the applications")
