"""XLSX workbooks through `domain.discovery.readers`: sheets, header detection, values as text, and the zip guards."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from domain.discovery.readers import InputFileError, Row, open_table, open_tables
from domain.discovery.readers.xlsx_workbook import cell_text, check_zip

VINFO_HEADERS = ["VM ", "Powerstate", "Template", "CPUs", "Memory ", "Creation date", "Total disk capacity MiB",
                 "Annotation", "PowerOn"]


def rvtools_workbook(path: Path) -> Path:
    """An RVTools-like export: blank rows above the header, trailing-space headers, dates, hundreds of
    blank formatted padding rows, an empty and a hidden sheet."""
    book = xlsxwriter.Workbook(path)
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    shaded = book.add_format({"bg_color": "#DDEEFF", "border": 1})
    info = book.add_worksheet("vInfo")
    info.write_row(2, 1, VINFO_HEADERS)
    vms = [
        ["web-01", "poweredOn", False, 4, 16384, None, 102400.5, "", 45000],
        ["db-01", "poweredOff", True, 8, 32768, None, 2048, "owner: dba team", 45001.25],
    ]
    for offset, vm in enumerate(vms):
        info.write_row(3 + 2 * offset, 1, vm)
        for column in range(1, 1 + len(VINFO_HEADERS)):
            info.write_blank(4 + 2 * offset, column, None, shaded)  # a formatted blank row between the VMs
    info.write_datetime(3, 6, dt.datetime(2023, 5, 1, 10, 20, 30), stamp)
    info.write_datetime(5, 6, dt.datetime(2021, 12, 24), day)
    for row in range(7, 400):  # padding: a space in the first cell makes calamine yield these rows too
        info.write_string(row, 1, " ", shaded)
        for column in range(2, 12):
            info.write_blank(row, column, None, shaded)
    partition = book.add_worksheet("vPartition")
    partition.write_row(0, 0, ["VM", "Disk", "Capacity MiB", "Consumed MiB", "Free %"])
    partition.write_row(1, 0, ["web-01", "C:\\", 102400, 51200.75, 0.5])
    empty = book.add_worksheet("vSource")
    for row in range(50):
        empty.write_blank(row, 0, None, shaded)
    hidden = book.add_worksheet("Lists")
    hidden.write_column(0, 0, ["Environment", "prod", "test"])
    hidden.hide()
    book.close()
    return path


def read_all(table) -> list[Row]:
    rows: list[Row] = []
    while batch := table.next_batch(100):
        rows.extend(batch)
    table.close()
    return rows


def test_every_visible_non_empty_sheet_is_a_table(tmp_path: Path) -> None:
    tables = open_tables(rvtools_workbook(tmp_path / "RVTools_export.xlsx"))
    assert [(t.name, t.format, t.encoding, t.delimiter) for t in tables] == [
        ("vInfo", "xlsx", None, None), ("vPartition", "xlsx", None, None)]
    info, partition = tables
    assert info.headers == [h.strip() for h in VINFO_HEADERS]
    assert read_all(info) == [
        Row(1, {"VM": "web-01", "Powerstate": "poweredOn", "Template": "false", "CPUs": "4", "Memory": "16384",
                "Creation date": "2023-05-01T10:20:30", "Total disk capacity MiB": "102400.5", "Annotation": "",
                "PowerOn": "45000"}),
        Row(2, {"VM": "db-01", "Powerstate": "poweredOff", "Template": "true", "CPUs": "8", "Memory": "32768",
                "Creation date": "2021-12-24", "Total disk capacity MiB": "2048", "Annotation": "owner: dba team",
                "PowerOn": "45001.25"}),
    ]
    assert read_all(partition) == [Row(1, {"VM": "web-01", "Disk": "C:\\", "Capacity MiB": "102400",
                                           "Consumed MiB": "51200.75", "Free %": "0.5"})]


def test_one_sheet_by_name_or_the_first_with_data(tmp_path: Path) -> None:
    path = rvtools_workbook(tmp_path / "rv.xlsx")
    first = open_table(path)
    assert first.name == "vInfo" and len(read_all(first)) == 2
    hidden = open_table(path, "Lists")
    assert hidden.headers == ["Environment"] and [r.values for r in read_all(hidden)] == [
        {"Environment": "prod"}, {"Environment": "test"}]
    with pytest.raises(InputFileError, match=r"^rv.xlsx: no sheet named 'vHost' \(sheets: vInfo, vPartition, "
                                             r"vSource, Lists\)$"):
        open_table(path, "vHost")
    with pytest.raises(InputFileError, match=r"^rv.xlsx sheet 'vSource': the sheet has no header row"):
        open_table(path, "vSource")


def test_values_beyond_the_last_header_are_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "cmdb.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("servers")
    sheet.write_row(0, 0, ["name", "os", "", ""])
    sheet.write_row(1, 0, ["a", "linux"])
    sheet.write_row(2, 0, ["b", "windows", "", "stray note"])
    sheet.write_row(3, 0, ["c"])
    book.close()
    table = open_table(path)
    assert table.headers == ["name", "os"]
    assert read_all(table) == [
        Row(1, {"name": "a", "os": "linux"}),
        Row(2, {"name": "b", "os": "windows"}, ("row has 4 fields but the header has 2",)),
        Row(3, {"name": "c", "os": ""}),
    ]


def test_workbook_content_wins_over_a_csv_name(tmp_path: Path) -> None:
    path = rvtools_workbook(tmp_path / "inventory.csv")
    assert [t.name for t in open_tables(path)] == ["vInfo", "vPartition"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["VM", "Host", "vm "]], "book.xlsx sheet 'vInfo': duplicate column header(s): vm"),
        ([], "book.xlsx: the workbook has no sheet with data"),
    ],
)
def test_bad_workbooks(tmp_path: Path, rows: list[list[str]], message: str) -> None:
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("vInfo")
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    book.close()
    with pytest.raises(InputFileError) as caught:
        open_tables(path)
    assert str(caught.value) == message


def test_zip_bomb_is_refused_before_the_workbook_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            for _ in range(60):
                entry.write(b" " * (1 << 20))  # 60 MiB of padding deflates to about 60 KiB
    with pytest.raises(InputFileError, match=r"^bomb.xlsx: refused, part xl/worksheets/sheet1.xml inflates "
                                             r"\d+:1 to 60 MiB \(a zip bomb\?\)$"):
        open_tables(path)


def test_total_inflated_size_is_limited(tmp_path: Path) -> None:
    path = rvtools_workbook(tmp_path / "rv.xlsx")
    check_zip(path)
    with pytest.raises(InputFileError, match=r"^rv.xlsx: refused, it would inflate to [\d.]+ MiB, over the 0.0 MiB"):
        check_zip(path, max_uncompressed_bytes=1000)


def test_zips_that_are_not_workbooks(tmp_path: Path) -> None:
    zipped_csv = tmp_path / "export.xlsx"
    with zipfile.ZipFile(zipped_csv, "w") as archive:
        archive.writestr("export.csv", "name\nweb-01\n")
    with pytest.raises(InputFileError, match=r"^export.xlsx: a zip archive but not an XLSX workbook"):
        open_tables(zipped_csv)
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(rvtools_workbook(tmp_path / "whole.xlsx").read_bytes()[:4000])
    with pytest.raises(InputFileError, match=r"^cut.xlsx: corrupt or truncated XLSX \(zip\) file"):
        open_tables(truncated)


def test_old_binary_excel_asks_for_xlsx_or_csv(tmp_path: Path) -> None:
    path = tmp_path / "legacy.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # the compound-file signature of .xls
    with pytest.raises(InputFileError, match=r"^legacy.xls: an old binary Excel \(.xls\) .* save it as .xlsx"):
        open_tables(path)


def test_a_csv_has_no_sheets(tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text("name\nx\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^inv.csv: a CSV file has no sheets \(asked for sheet 'vInfo'\)$"):
        open_table(path, "vInfo")


@pytest.mark.parametrize(
    ("value", "text"),
    [(16384.0, "16384"), (0.1, "0.1"), (1e20, "100000000000000000000"), (-3.0, "-3"), (True, "true"),
     (dt.date(2024, 2, 29), "2024-02-29"), (dt.time(6, 30), "06:30:00"), (dt.timedelta(hours=36), "PT129600S"),
     ("  kept as is ", "  kept as is ")],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_a_part_that_holds_more_than_it_declares_is_refused(tmp_path: Path) -> None:
    """A zip whose directory understates a part's size passes the size checks; the part itself must not."""
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 << 20))  # 8 MiB that deflates to a few KiB
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
    central = data.rfind(b"PK\x01\x02", 0, data.find(b"PK\x05\x06"))
    while data[central + 46:central + 46 + len(entry.filename)] != entry.filename.encode():
        central = data.rfind(b"PK\x01\x02", 0, central)
    struct.pack_into("<L", data, entry.header_offset + 22, 1000)  # the local header's uncompressed size
    struct.pack_into("<L", data, central + 24, 1000)  # the directory's
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1000  # what the directory now says
    with pytest.raises(InputFileError, match=r"^liar.xlsx: refused, part xl/worksheets/sheet1.xml holds more than "
                                             r"the 1,000 bytes its directory declares \(a zip bomb\?\)$"):
        check_zip(path)


def test_a_part_compressed_otherwise_than_xlsx_compresses_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bzip.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
    with pytest.raises(InputFileError, match=r"^bzip.xlsx: part \[Content_Types\].xml uses a compression XLSX "
                                             r"does not \(12\)$"):
        check_zip(path)
