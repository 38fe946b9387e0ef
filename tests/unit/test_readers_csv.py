"""CSV inventory files through `domain.discovery.readers`: encodings, delimiters, blank and ragged rows, file errors."""

from __future__ import annotations

import csv
import gzip
import time
from pathlib import Path

import pytest

from domain.discovery.readers import MAX_CELL_CHARS, InputFileError, Row, open_table, open_tables


def read_all(path: Path) -> tuple[list[str], list[Row]]:
    table = open_table(path)
    try:
        rows: list[Row] = []
        while batch := table.next_batch(2):
            rows.extend(batch)
        return table.headers, rows
    finally:
        table.close()


def test_utf8_bom_is_detected_and_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "cmdb.csv"
    path.write_bytes("\ufeffname,ip_address\nweb-01,10.0.0.1\n".encode())
    table = open_table(path)
    assert (table.format, table.encoding, table.delimiter, table.name) == ("csv", "utf-8-sig", ",", "cmdb.csv")
    assert table.headers == ["name", "ip_address"]
    assert table.next_batch(10) == [Row(1, {"name": "web-01", "ip_address": "10.0.0.1"})]
    table.close()


def test_semicolon_file_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("Server;Owner;Cost\nsrv-1;Müller;12,50 €\nsrv-2;Søren;3\n".encode("cp1252"))
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    rows = table.next_batch(10)
    table.close()
    assert [r.values for r in rows] == [
        {"Server": "srv-1", "Owner": "Müller", "Cost": "12,50 €"},
        {"Server": "srv-2", "Owner": "Søren", "Cost": "3"},
    ]


@pytest.mark.parametrize("delimiter", ["\t", "|", ";", ","])
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "inv.txt"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows([["VM", "CPUs", "Memory"], ["a", "2", "4096"]])
    headers, rows = read_all(path)
    assert headers == ["VM", "CPUs", "Memory"]
    assert rows[0].values == {"VM": "a", "CPUs": "2", "Memory": "4096"}


def test_excel_unicode_text_export_utf16_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("VM\tOS\r\nvm-ä\tWindows\r\n".encode("utf-16"))
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.next_batch(5)[0].values == {"VM": "vm-ä", "OS": "Windows"}
    table.close()


def test_quoted_multiline_cells_blank_rows_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_text(
        '\n  \nname,notes,env\n'
        'a,"line one\nline two, with comma",prod\n'
        ',,\n'
        '\n'
        'b,short\n'
        'c,x,dev,extra\n'
        'd,ok,test\n',
        encoding="utf-8",
    )
    headers, rows = read_all(path)
    assert headers == ["name", "notes", "env"]
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[0].values["notes"] == "line one\nline two, with comma"
    assert rows[1] == Row(2, {"name": "b", "notes": "short", "env": ""}, ("row has 2 fields but the header has 3",))
    assert rows[2] == Row(3, {"name": "c", "notes": "x", "env": "dev"}, ("row has 4 fields but the header has 3",))
    assert rows[3].problems == ()


def test_blank_header_cells_get_positional_names(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("name,,os\nx,1,linux\n", encoding="utf-8")
    assert read_all(path)[0] == ["name", "column_2", "os"]


def test_header_only_file_is_a_table_without_rows(tmp_path: Path) -> None:
    path = tmp_path / "only.csv"
    path.write_text("name,os\n\n", encoding="utf-8")
    assert read_all(path) == (["name", "os"], [])


def test_oversized_cell_is_cut_and_reported_on_its_row(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    notes = "x" * (10 * 2**20)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["name", "Notes"], ["a", "small"], ["b", notes], ["c", "y" * MAX_CELL_CHARS]])
    _, rows = read_all(path)
    assert rows[0] == Row(1, {"name": "a", "Notes": "small"})
    assert rows[1].values == {"name": "b", "Notes": "x" * 200 + "…"}
    assert rows[1].problems == ("cell 'Notes' is 10.0 MB, over the 1 MiB limit",)
    assert rows[2].problems == () and len(rows[2].values["Notes"]) == MAX_CELL_CHARS  # at the limit is allowed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "inv.csv: the file is empty"),
        (b"  \r\n\n\t\n", "inv.csv: the file has no header row (it is empty or blank)"),
        (b"Name,os, name \nx,y,z\n", "inv.csv: duplicate column header(s): name"),
        (b"VM,OS\nvm1,caf\xe9\n\nvm2,\x81\x8d\n", "inv.csv: undecodable text on line 4: byte 0x81 is neither UTF-8 nor "
         "Windows-1252"),
        (gzip.compress(b"name,os\n" * 100), "inv.csv: binary data (NUL bytes), not a CSV text file"),
    ],
)
def test_file_level_problems_are_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "inv.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        read_all(path)
    assert str(caught.value).startswith(message)


def test_binary_data_after_the_sniffed_start_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"name,os\n" + b"vm,linux\n" * 10_000 + b"vm,\x00\x00\n")
    table = open_table(path)
    with pytest.raises(InputFileError, match=r"^late.csv: binary data \(NUL bytes\) on line 10002, not a CSV text file$"):
        while table.next_batch(1000):
            pass
    table.close()


def test_100k_rows_40_columns_throughput(tmp_path: Path) -> None:
    """Reads every row intact; prints the rate (measured, not asserted)."""
    path = tmp_path / "wide.csv"
    headers = [f"Column {i}" for i in range(40)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows([f"host-{r}", "Windows Server 2019", r % 64, r * 1.5] + [f"v{r}-{c}" for c in range(36)]
                         for r in range(100_000))
    started = time.perf_counter()
    [table] = open_tables(path)
    count, last = 0, None
    while batch := table.next_batch(5000):
        count += len(batch)
        last = batch[-1]
    table.close()
    elapsed = time.perf_counter() - started
    print(f"\nCSV reader: {count} rows x 40 columns in {elapsed:.2f} s = {count / elapsed:,.0f} rows/s")
    assert count == 100_000
    assert last is not None and last.number == 100_000 and last.problems == ()
    assert last.values["Column 0"] == "host-99999" and last.values["Column 39"] == "v99999-35"


def test_a_text_file_that_is_not_delimited_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Servers to move next year\nweb-01 and web-02, then the database\n")
    with pytest.raises(InputFileError, match=r"notes.txt: not delimited text .* export the inventory as CSV"):
        open_table(path)


def test_a_one_column_csv_is_a_list_of_hosts(tmp_path: Path) -> None:
    path = tmp_path / "hosts.csv"
    path.write_text("hostname\nweb-01\nweb-02\n")
    headers, rows = read_all(path)
    assert headers == ["hostname"] and [r.values["hostname"] for r in rows] == ["web-01", "web-02"]


def test_a_space_before_an_opening_quote_is_skipped_only_where_the_row_would_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "konveyor.csv"
    path.write_text(
        'name,owner,contributors,env\n'
        'a,"Al <al@x>", "Sam <s@x>, Jo <j@x>",prod\n'  # strict reading: 5 fields; skipping the space: 4
        'b, kept as written, "quoted",dev\n'  # 4 fields already: read strictly, spaces kept
        'c, "x, y", "z, w",test\n',  # 6 fields strictly, 4 with the spaces skipped
        encoding="utf-8",
    )
    _, rows = read_all(path)
    assert rows[0] == Row(1, {"name": "a", "owner": "Al <al@x>", "contributors": "Sam <s@x>, Jo <j@x>", "env": "prod"}, ())
    assert rows[1].values == {"name": "b", "owner": " kept as written", "contributors": ' "quoted"', "env": "dev"}
    assert rows[2].values == {"name": "c", "owner": "x, y", "contributors": "z, w", "env": "test"}
    assert all(r.problems == () for r in rows)


def test_a_row_that_fits_neither_reading_stays_ragged(tmp_path: Path) -> None:
    path = tmp_path / "shifted.csv"
    path.write_text('name,notes,env\na, "x, y, z", extra,dev\nb,"fine",test\n', encoding="utf-8")
    _, rows = read_all(path)
    assert rows[0].problems == ("row has 6 fields but the header has 3",)
    assert rows[0].values == {"name": "a", "notes": ' "x', "env": " y"}
    assert rows[1] == Row(2, {"name": "b", "notes": "fine", "env": "test"}, ())


def test_a_reread_that_would_leave_lines_unread_is_not_taken(tmp_path: Path) -> None:
    """Skipping the space before a quote could end the record before its last line; the row then stays ragged
    (quarantined with its problem) rather than losing what those lines held."""
    path = tmp_path / "shifted.csv"
    path.write_text('id,name\n1, "x,"y\nz", w\n')
    _, rows = read_all(path)
    assert len(rows) == 1 and rows[0].problems and "fields" in rows[0].problems[0]
