"""Roles of the files of one import, and what is staged from each, on real files."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest
import xlsxwriter

from domain.discovery.import_plan import InputFileError, planned_import

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
