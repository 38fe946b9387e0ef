"""The readers' bounds (`domain.discovery.limits`): checked before the work they bound, each refusal one sentence."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import uuid
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from domain.discovery.limits import MAX_COLUMNS, MAX_JSON_DEPTH, MAX_ROW_CHARS, MAX_SHEETS
from domain.discovery.readers import InputFileError, open_file, open_table, open_tables
from domain.discovery.readers.isolated import isolated_import, stream_import
from domain.discovery.readers.json_records import longest_unquoted, too_deep
from domain.discovery.readers.table import readable


def read_all(table) -> list:
    rows = []
    while batch := table.next_batch(100):
        rows.extend(batch)
    table.close()
    return rows


@pytest.mark.parametrize(("text", "deep"), [
    ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, False),
    ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), True),
    ('[{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]', False),  # text, not depth
    ('{"a":' * 100_000, True),  # truncated: too deep long before the end
    ("[1, 2", False),  # malformed: left to the reader that says where
])
def test_depth_is_counted_without_building_anything(text: str, deep: bool) -> None:
    assert too_deep(io.BytesIO(text.encode())) is deep


@pytest.mark.parametrize(("parts", "long"), [
    ([b'[{"a": "', b"x" * MAX_ROW_CHARS, b'"}]'], False),
    ([b'[{"a": "', b"x" * (MAX_ROW_CHARS + 1), b'"}]'], True),
    ([b"x" * (MAX_ROW_CHARS + 1)], True),  # no quote at all
    ([b'"a", ' * (MAX_ROW_CHARS // 5)], False),  # quotes everywhere, in every block
    ([b'"', b" " * ((1 << 20) - 3), b'"', b" " * MAX_ROW_CHARS, b'"'], False),  # a run across blocks, at the limit
    ([b'"', b" " * ((1 << 20) - 3), b'"', b" " * (MAX_ROW_CHARS + 1), b'"'], True),
])
def test_a_value_longer_than_a_row_is_found_in_linear_time(parts: list[bytes], long: bool) -> None:
    assert longest_unquoted(io.BytesIO(b"".join(parts))) is long


def test_a_deep_json_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"servers": [' + '{"a":' * 70 + "1" + "}" * 70 + "]}")
    with pytest.raises(InputFileError, match=r"^deep.json: refused, its JSON nests arrays or objects more than 64 "):
        open_tables(path)


def test_json_keys_beyond_the_column_limit_refuse_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.jsonl"
    path.write_text("\n".join(json.dumps({f"k{n}": 1}) for n in range(MAX_COLUMNS + 5)) + "\n")
    with pytest.raises(InputFileError, match=f"^keys.jsonl: refused, it has more than {MAX_COLUMNS:,} columns, "):
        open_tables(path)


def test_a_csv_line_is_read_no_further_than_the_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "endless.csv"
    path.write_text("name,notes\nweb-01," + "x" * (MAX_ROW_CHARS + 10))
    table = open_table(path)
    with pytest.raises(InputFileError, match="^endless.csv: refused, the row at line 2 is longer than 16 MiB"):
        read_all(table)


def test_a_quoted_record_over_several_lines_counts_as_one_row(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    half = "y" * (MAX_ROW_CHARS // 2)
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["name", "notes"], ["web-01", f"{half}\n{half}\nz"]])
    with pytest.raises(InputFileError, match="the row at line 3 is longer than 16 MiB"):
        read_all(open_table(path))


@pytest.mark.parametrize(("text", "warning"), [
    (",,\nname,ip\nweb-01,10.0.0.1\n", "row 1 is blank, so row 2 was taken as the header row"),
    ("\n;;\n\nname;ip\nweb-01;10.0.0.1\n", "rows 1-3 are blank, so row 4 was taken as the header row"),
    ("name,ip\nweb-01,10.0.0.1\n", None),
])
def test_a_header_below_blank_rows_comes_with_a_warning(tmp_path: Path, text: str, warning: str | None) -> None:
    path = tmp_path / "servers.csv"
    path.write_text(text)
    opened = open_file(path)
    assert opened.tables[0].headers == ["name", "ip"]
    assert [w.split(":")[0] for w in opened.warnings] == ([warning] if warning else [])


def test_every_sheet_without_a_table_is_named_with_why(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Empty")
    servers = book.add_worksheet("Servers")
    servers.write_row(3, 0, ["name", "ip"])
    servers.write_row(4, 0, ["web-01", "10.0.0.1"])
    hidden = book.add_worksheet("Hidden")
    hidden.write_row(0, 0, ["a", "b"])
    hidden.hide()
    book.close()
    opened = open_file(path)
    assert [t.name for t in opened.tables] == ["Servers"]
    assert opened.skipped == {"Hidden": "a hidden sheet", "Empty": "an empty sheet"}
    assert opened.order == ["Empty", "Servers", "Hidden"]
    assert opened.warnings == ["rows 1-3 of sheet 'Servers' are blank, so row 4 was taken as the header row: check "
                               "that it names the columns"]


def test_a_workbook_of_too_many_sheets_is_refused_before_any_sheet_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    book = xlsxwriter.Workbook(path)
    for n in range(MAX_SHEETS + 1):
        book.add_worksheet(f"S{n}")
    book.close()
    with pytest.raises(InputFileError, match=f"^many.xlsx: refused, the workbook has {MAX_SHEETS + 1} sheets"):
        open_tables(path)


@pytest.mark.parametrize(("error", "message"), [
    (RecursionError("maximum recursion depth exceeded"), "f.csv: refused, nested too deeply to read"),
    (MemoryError(), "f.csv: refused, reading it needs more than the reader's 4 GiB of memory"),
    (csv.Error("field larger than field limit"), "f.csv: unreadable CSV file: field larger than field limit"),
    (zipfile.BadZipFile("Bad magic\nnumber"), "f.csv: unreadable CSV file: Bad magic number"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
     "f.csv: unreadable CSV file: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
])
def test_any_parser_error_becomes_one_sentence(error: Exception, message: str) -> None:
    with pytest.raises(InputFileError) as caught, readable(Path("f.csv"), "csv"):
        raise error
    assert str(caught.value) == message


def test_a_programming_error_is_not_taken_for_bad_input() -> None:
    with pytest.raises(KeyError), readable(Path("f.csv"), "csv"):
        raise KeyError("x")


def test_the_child_sends_heads_rows_and_reports_or_one_refusal(tmp_path: Path) -> None:
    good, deep = tmp_path / "servers.csv", tmp_path / "deep.json"
    good.write_text("name,ip\nweb-01,10.0.0.1\ndb-01,10.0.0.2\n")
    deep.write_text("[" * 100_000)
    sent: list[tuple] = []
    stream_import({uuid.uuid4(): good}, 1, sent.append)
    assert [m[0] for m in sent] == ["file", "rows", "rows", "report", "done"]
    assert sent[0][1].headers == ["name", "ip"] and sent[2][1] == [(2, {"name": "db-01", "ip": "10.0.0.2"}, ())]
    sent.clear()
    stream_import({uuid.uuid4(): good, uuid.uuid4(): deep}, 1, sent.append)
    assert sent == [("refused", f"deep.json: refused, its JSON nests arrays or objects more than {MAX_JSON_DEPTH} "
                                "levels deep (the limit)")]


def test_a_real_child_process_streams_the_import(tmp_path: Path) -> None:
    path = tmp_path / "servers.csv"
    path.write_text("name,ip\n" + "".join(f"web-{n},10.0.0.{n}\n" for n in range(250)))

    async def read() -> tuple[list[str] | None, int, dict]:
        async with isolated_import({uuid.uuid4(): path}, 100) as reader:
            head = await reader.next_file()
            assert head is not None
            count = 0
            while batch := await reader.next_batch():
                count += len(batch)
            report = await reader.finish_file()
            assert await reader.next_file() is None
            return head.headers, count, report

    headers, count, report = asyncio.run(read())
    assert (headers, count, report["tables"]["servers.csv"]["role"]) == (["name", "ip"], 250, "inventory")


def test_a_fault_of_the_reader_is_an_error_to_retry_not_bad_input(tmp_path: Path) -> None:
    sent: list[tuple] = []
    stream_import({uuid.uuid4(): tmp_path / "gone.csv"}, 10, sent.append)
    assert len(sent) == 1 and sent[0][0] == "failed" and sent[0][1].startswith("FileNotFoundError: ")


def test_a_reader_killed_midway_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "servers.csv"
    path.write_text("name,ip\nweb-01,10.0.0.1\n")

    async def read() -> None:
        async with isolated_import({uuid.uuid4(): path}, 100) as reader:
            os.kill(reader.pid, signal.SIGKILL)  # as the kernel does when the reader's memory limit is reached
            await reader.next_file()

    with pytest.raises(InputFileError, match=r"^servers.csv: refused, the reader was stopped \(SIGKILL\) before "):
        asyncio.run(read())
