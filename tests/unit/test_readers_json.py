"""JSON and JSON Lines inventories through `domain.discovery.readers`: flattening, header union, row and file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.discovery.readers import InputFileError, Row, detect_format, open_table, open_tables

SERVERS = [
    {"name": "web-01", "os": {"name": "RHEL", "version": 9}, "ips": ["10.0.0.1", "10.0.0.2"], "cpu": 4,
     "load": 0.25, "virtual": True, "retired": None},
    {"name": "db-01", "os": {"name": "Windows"}, "disks": [{"size_gb": 100}, {"size_gb": 20.5}], "owner": "dba"},
]


def read_all(path: Path) -> tuple[list[str], list[Row], str]:
    table = open_table(path)
    rows: list[Row] = []
    while batch := table.next_batch(2):
        rows.extend(batch)
    table.close()
    return table.headers, rows, table.format


def test_array_of_nested_objects_flattens_to_text_columns(tmp_path: Path) -> None:
    path = tmp_path / "servers.json"
    path.write_text(json.dumps(SERVERS, indent=2), encoding="utf-8")
    headers, rows, kind = read_all(path)
    assert kind == "json"
    assert headers == ["name", "os.name", "os.version", "ips", "cpu", "load", "virtual", "retired", "disks", "owner"]
    assert rows == [
        Row(1, {"name": "web-01", "os.name": "RHEL", "os.version": "9", "ips": "10.0.0.1; 10.0.0.2", "cpu": "4",
                "load": "0.25", "virtual": "true", "retired": "", "disks": "", "owner": ""}),
        Row(2, {"name": "db-01", "os.name": "Windows", "os.version": "", "ips": "", "cpu": "", "load": "",
                "virtual": "", "retired": "", "disks": '[{"size_gb":100},{"size_gb":20.5}]', "owner": "dba"}),
    ]


def test_object_wrapping_one_array_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"exported": "2024-05-01", "count": 2, "tags": ["a"],
                                                 "servers": SERVERS}).encode())
    headers, rows, kind = read_all(path)
    assert (kind, headers[:2], [r.values["name"] for r in rows]) == ("json", ["name", "os.name"], ["web-01", "db-01"])


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"servers": SERVERS, "apps": [{"name": "crm"}]},
         "x.json: the JSON object must hold exactly one array of objects, it holds 2 (servers, apps)"),
        ({"servers": [], "total": 0},
         "x.json: the JSON object must hold exactly one array of objects, it holds none"),
        ([], "x.json: no JSON object with fields, so no columns (the file has no header)"),
        ([1, 2, "three"], "x.json: no JSON object with fields, so no columns (the file has no header)"),
        ([{"Name": "a"}, {"name ": "b"}], "x.json: duplicate column header(s): name"),
    ],
)
def test_json_file_errors(tmp_path: Path, document: object, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_all(path)
    assert str(caught.value) == message


def test_non_object_elements_are_row_problems(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_text('[{"name": "a"}, 42, ["b"], null, {"name": "c"}]', encoding="utf-8")
    _, rows, _ = read_all(path)
    assert [(r.number, r.values, r.problems) for r in rows] == [
        (1, {"name": "a"}, ()),
        (2, {"name": ""}, ("element 2 is a number, not an object",)),
        (3, {"name": ""}, ("element 3 is an array, not an object",)),
        (4, {"name": ""}, ("element 4 is null, not an object",)),
        (5, {"name": "c"}, ()),
    ]


def test_malformed_json_names_the_record(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"name": "a"},\n {"name": "b",, "os": "x"}]', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^broken.json: malformed JSON in record 2: parse error: .*"
                                             r"\(right here\)"):
        read_all(path)
    wrapped = tmp_path / "truncated.json"
    wrapped.write_text('{"servers": [{"name": "a"}, {"name"', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^truncated.json: malformed JSON: parse error: premature EOF"):
        read_all(wrapped)


def test_json_lines_with_a_broken_line_quarantines_only_that_row(tmp_path: Path) -> None:
    path = tmp_path / "servers.jsonl"
    path.write_text(
        '{"name": "a", "os": {"name": "RHEL"}}\n'
        '\n'
        '{"name": "b", "cpu": 2\n'
        '["not", "an", "object"]\n'
        '{"name": "c", "cpu": 8, "tags": ["x", 1, true]}\n',
        encoding="utf-8",
    )
    headers, rows, kind = read_all(path)
    assert (kind, headers) == ("jsonl", ["name", "os.name", "cpu", "tags"])
    assert rows == [
        Row(1, {"name": "a", "os.name": "RHEL", "cpu": "", "tags": ""}),
        Row(2, {"name": "", "os.name": "", "cpu": "", "tags": ""},
            ("not valid JSON: line 3, column 23: Expecting ',' delimiter",)),
        Row(3, {"name": "", "os.name": "", "cpu": "", "tags": ""}, ("the line holds an array, not an object",)),
        Row(4, {"name": "c", "os.name": "", "cpu": "8", "tags": "x; 1; true"}),
    ]


def test_json_lines_recognised_by_content_and_single_objects(tmp_path: Path) -> None:
    lines = tmp_path / "dump.json"
    lines.write_text('{"name": "a", "apps": [{"id": 1}]}\n{"name": "b"}\n', encoding="utf-8")
    assert detect_format(lines) == "jsonl"
    single = tmp_path / "one.json"
    single.write_text('{"name": "solo", "cpu": 2}', encoding="utf-8")
    assert detect_format(single) == "jsonl" and [r.values for r in read_all(single)[1]] == [
        {"name": "solo", "cpu": "2"}]
    wrapper = tmp_path / "wrapper.json"
    wrapper.write_text('{"servers": [{"name": "a"}]}', encoding="utf-8")
    assert detect_format(wrapper) == "json"
    named = tmp_path / "wrapper.ndjson"
    named.write_text('{"servers": [{"name": "a"}]}', encoding="utf-8")
    assert detect_format(named) == "jsonl" and read_all(named)[0] == ["servers"]


def test_json_lines_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes('{"name": "a"}\n{"name": "Müller"}\n'.encode("cp1252"))
    with pytest.raises(InputFileError, match=r"^bad.jsonl: undecodable text on line 2: not valid UTF-8$"):
        read_all(path)
    path.write_text("{oops\n[1]\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^bad.jsonl: no JSON object with fields"):
        read_all(path)


@pytest.mark.parametrize("name", ["big.json", "big.jsonl"])
def test_oversized_and_nul_cells_are_row_problems(tmp_path: Path, name: str) -> None:
    records = [{"name": "a", "Notes": "n" * (10 * 2**20)}, {"name": "b\u0000c", "Notes": "fine"}]
    path = tmp_path / name
    text = json.dumps(records) if name.endswith(".json") else "".join(json.dumps(r) + "\n" for r in records)
    path.write_text(text, encoding="utf-8")
    [table] = open_tables(path)
    rows = table.next_batch(10)
    table.close()
    assert rows == [
        Row(1, {"name": "a", "Notes": "n" * 200 + "…"}, ("cell 'Notes' is 10.0 MB, over the 1 MiB limit",)),
        Row(2, {"name": "bc", "Notes": "fine"}, ("cell 'name' held NUL characters, removed",)),
    ]
