"""Hostile and careless files (issue 13): each refused in one sentence or imported with its rows quarantined, the
import ending `failed` or `completed` (never in between), nothing half-written, and no other tenant slowed.

The files are generated here, past the limits of `domain.discovery.limits`. Most run through the real discovery
activities (`tests.discovery_harness`); the refusals also through `starter.py launch` as a person runs it, and
one engagement through a real worker on a Temporal server while another tenant asks for its status.
"""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
import xlsxwriter
from temporalio.exceptions import ApplicationError

from activities.errors import BAD_INPUT
from domain.discovery.limits import MAX_ROW_CHARS
from domain.status_highlights import phase_highlights
from runtime import engagement_control as control
from tests.conftest import give_login, make_engagement
from tests.discovery_harness import rows, run_discovery
from tests.flow_helpers import fetchval, inventory_file, run_starter, running_worker, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="session")

DEEP = "nests arrays or objects more than 64 levels deep (the limit)"
SERVERS = [("web-01", "10.0.0.1", "Windows Server 2019"), ("db-01", "10.0.0.2", "RHEL 9")]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def deep_arrays(folder: Path) -> Path:
    return _write(folder / "deep-arrays.json", "[" * 100_000 + "]" * 100_000)


def deep_objects(folder: Path) -> Path:
    return _write(folder / "deep-objects.json", '[{"a":' * 20_000 + "1" + "}]" * 20_000)


def deep_first_line(folder: Path) -> Path:
    return _write(folder / "deep-first-line.json", '{"a":' * 20_000 + "1" + "}" * 20_000 + "\n")


def wide(folder: Path) -> Path:
    header = ",".join(f"c{n}" for n in range(40_000))
    return _write(folder / "wide.csv", header + "\n" + "\n".join(",".join("x" * 40_000) for _ in range(5)) + "\n")


def many_sheets(folder: Path) -> Path:
    path = folder / "sheets.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    for n in range(200):
        book.add_worksheet(f"S{n}").write_row(0, 0, ["name", "ip_address"])
    book.close()
    return path


def long_row(folder: Path) -> Path:
    cell = "y" * (MAX_ROW_CHARS // 4)
    return _write(folder / "long-row.csv", "name,a,b,c,d,e\nweb-01,1,2,3,4,5\n" + "web-02," + ",".join([cell] * 5))


def long_line(folder: Path) -> Path:
    line = json.dumps({"name": "web-02", "notes": "y" * MAX_ROW_CHARS})
    return _write(folder / "long-line.jsonl", json.dumps({"name": "web-01"}) + "\n" + line + "\n")


def long_value(folder: Path) -> Path:
    return _write(folder / "long-value.json", json.dumps([{"name": "web-01", "notes": "y" * (MAX_ROW_CHARS + 1)}]))


REFUSED = {  # a file -> the one sentence that refuses it
    deep_arrays: f"deep-arrays.json: refused, its JSON {DEEP}",
    deep_objects: f"deep-objects.json: refused, its JSON {DEEP}",
    deep_first_line: f"deep-first-line.json: refused, its JSON {DEEP}",
    wide: "wide.csv: refused, it has 40,000 columns, over the limit of 2,000 per table",
    many_sheets: "sheets.xlsx: refused, the workbook has 200 sheets, over the limit of 100 per workbook",
    long_row: "long-row.csv: refused, the row at line 3 is longer than 16 MiB, the limit of one row",
    long_line: "long-line.jsonl: refused, line 2 is longer than 16 MiB, the limit of one row",
    long_value: "long-value.json: refused, a value is longer than 16 MiB, the limit of one row",
}


async def _refused(pool, path: Path) -> str:
    """Discovery of `path` must be refused as bad input, the import `failed` with the message, nothing kept."""
    e = await make_engagement(pool)
    with pytest.raises(ApplicationError) as caught:
        await run_discovery(pool, e.ref, [path], reviewer=e.owner_id)
    assert caught.value.type == BAD_INPUT and caught.value.non_retryable
    message = caught.value.message
    imports = await rows(pool, e.ref, "SELECT status, error_summary FROM migration.data_imports")
    assert [(d["status"], d["error_summary"]) for d in imports] == [("failed", {"error": message})]
    assert await rows(pool, e.ref, "SELECT 1 FROM migration.raw_import_records") == []
    assert await rows(pool, e.ref, "SELECT 1 FROM migration.assets") == []
    return message


@pytest.mark.parametrize("make", list(REFUSED), ids=lambda make: make.__name__)
async def test_a_file_past_a_limit_is_refused_in_one_sentence(app_pool, tmp_path, make) -> None:
    assert await _refused(app_pool, make(tmp_path)) == REFUSED[make]


async def test_launch_refuses_them_in_one_line_before_uploading(cli_env, tmp_path) -> None:
    """`launch` plans the files as discovery will: a file refused by its header, sheets or depth is refused in the
    same sentence before anything starts (a row past a limit is found only when the rows are read)."""
    for make in (deep_arrays, deep_objects, deep_first_line, wide, many_sheets):
        sentence = REFUSED[make]
        code, out, err = await run_starter(cli_env, "launch", "acme/dc-exit", "--import", str(make(tmp_path)))
        assert (code, out, err.splitlines()) == (1, "", [f"error: {sentence}"])


async def _imported(pool, path: Path):
    """Discovery of `path` must complete; the run, and the quarantined rows' import problems."""
    e = await make_engagement(pool)
    run = await run_discovery(pool, e.ref, [path], reviewer=e.owner_id)
    assert [d["status"] for d in await rows(pool, e.ref, "SELECT status FROM migration.data_imports")] == ["completed"]
    problems = await rows(pool, e.ref, "SELECT row_number, validation_errors -> 'import' AS import "
                                       "FROM migration.raw_import_records WHERE status = 'quarantined' ORDER BY 1")
    return e, run, [(p["row_number"], p["import"]) for p in problems]


async def test_a_json_lines_line_nested_too_deep_is_quarantined_unread(app_pool, tmp_path) -> None:
    deep = '{"a":' * 20_000 + "1" + "}" * 20_000
    lines = [json.dumps({"name": name, "ip_address": ip, "os": os}) for name, ip, os in SERVERS]
    for path in (_write(tmp_path / "servers.jsonl", "\n".join([lines[0], deep, lines[1]]) + "\n"),
                 _write(tmp_path / "servers.json", "\n".join([deep, *lines]) + "\n")):  # JSON Lines named .json
        e, _, quarantined = await _imported(app_pool, path)
        number = 2 if path.suffix == ".jsonl" else 1
        assert quarantined == [(number, [f"line {number} {DEEP}"])]
        assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.assets") == 2


async def test_text_no_database_holds_is_replaced_and_its_row_quarantined(app_pool, tmp_path) -> None:
    """JSON escapes for a lone surrogate or NUL, in a value or a key: PostgreSQL text holds neither."""
    path = _write(tmp_path / "servers.jsonl", '{"name": "web-01", "ip_address": "10.0.0.1", "no\\u0000tes\\ud800": "a"}\n'
                  '{"name": "db-\\ud800", "ip_address": "10.0.0.2", "notes": "b\\u0000"}\n')
    e, _, quarantined = await _imported(app_pool, path)
    assert quarantined == [(2, ["cell 'name' held lone UTF-16 surrogates (no characters), replaced by '?'",
                                "cell 'notes' held NUL characters, removed"])]
    assert await fetchval(app_pool, e.ref, "SELECT source_columns FROM migration.data_imports") == [
        "name", "ip_address", "notes?", "notes"]


async def test_a_huge_cell_is_cut_and_its_row_quarantined(app_pool, tmp_path) -> None:
    path = tmp_path / "notes.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["name", "ip_address", "notes"], ["web-01", "10.0.0.1", "ok"],
                                  ["db-01", "10.0.0.2", "z" * (10 << 20)]])
    e, _, quarantined = await _imported(app_pool, path)
    assert quarantined == [(2, ["cell 'notes' is 10.0 MB, over the 1 MiB limit"])]
    kept = await fetchval(app_pool, e.ref, "SELECT raw_data ->> 'notes' FROM migration.raw_import_records "
                                           "WHERE row_number = 2")
    assert kept == "z" * 200 + "…"


async def test_a_blank_header_row_is_skipped_with_a_warning_a_person_sees(app_pool, tmp_path) -> None:
    path = _write(tmp_path / "servers.csv", ",,\nname,ip_address,operating_system\n"
                  + "".join(f"{name},{ip},{os}\n" for name, ip, os in SERVERS))
    e, run, quarantined = await _imported(app_pool, path)
    warning = "row 1 is blank, so row 2 was taken as the header row: check that it names the columns"
    assert quarantined == [] and run.results["data_import"].summary["files"][0]["warnings"] == [warning]
    assert f"servers.csv: {warning}" in phase_highlights("discovery", {"data_import": run.results["data_import"].summary})
    report = await fetchval(app_pool, e.ref, "SELECT bundle_report FROM migration.data_imports")
    assert report["warnings"] == [warning]


async def test_every_sheet_is_imported_or_named_with_why_not(app_pool, tmp_path) -> None:
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    servers = book.add_worksheet("Servers")
    servers.write_row(0, 0, ["name", "ip_address", "operating_system"])
    for n, server in enumerate(SERVERS, start=1):
        servers.write_row(n, 0, server)
    book.add_worksheet("Empty")
    notes = book.add_worksheet("Notes")
    notes.write_row(0, 0, ["key", "value"])
    notes.write_row(1, 0, ["exported", "today"])
    hidden = book.add_worksheet("Lists")
    hidden.write_column(0, 0, ["Environment", "prod"])
    hidden.hide()
    book.add_chartsheet("Chart").set_chart(_chart(book))
    book.close()
    e, run, _ = await _imported(app_pool, path)
    skipped = {"Empty": "an empty sheet", "Notes": "key/value rows (key, value), not a table of machines",
               "Lists": "a hidden sheet", "Chart": "a chart, not a table"}
    assert list(run.results["data_import"].summary["files"][0]["skipped"].items()) == list(skipped.items())
    line = phase_highlights("discovery", {"data_import": run.results["data_import"].summary})
    assert "book.xlsx: 4 sheets not imported: " + "; ".join(f"{s} ({why})" for s, why in skipped.items()) in line
    assert await fetchval(app_pool, e.ref, "SELECT count(*) FROM migration.assets") == 2


def _chart(book: xlsxwriter.Workbook):
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Servers!$A$1:$A$2"})
    return chart


async def test_another_tenant_is_answered_while_hostile_files_are_read(dev_env, app_pool, tmp_path) -> None:
    """A worker reads hostile files for one client while another client's engagement on the same worker answers
    its status query each time it is asked (the Temporal client's query fails if the worker does not answer)."""
    other = await make_engagement(app_pool)
    makers = (deep_arrays, wide, many_sheets)
    hostile = [(await make_engagement(app_pool), make, make(tmp_path)) for make in makers]
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, other.ref, [inventory_file(tmp_path, 20)], queue)
        await wait_for(dev_env.client, other.ref, lambda st: st.phase == "discovery")
        for e, _, path in hostile:
            await control.launch(dev_env.client, app_pool, e.ref, [path], queue)
        ended = asyncio.gather(*(wait_for(dev_env.client, e.ref, lambda st: st.status == "failed")
                                 for e, _, _ in hostile))
        answers = 0
        while not ended.done():
            assert (await control.status(dev_env.client, other.ref)).status != "failed"
            answers += 1
            await asyncio.sleep(0.05)
        for (e, make, _), st in zip(hostile, await ended):
            assert st.phase_summaries["discovery"]["error"] == REFUSED[make]
            assert await fetchval(app_pool, e.ref, "SELECT status FROM migration.data_imports") == "failed"
        assert answers >= 1
        await control.cancel(dev_env.client, app_pool, other.ref, other.owner_id)


async def test_status_and_imports_list_name_the_sheets_not_imported(dev_env, app_pool, migrated_db, cli_env,
                                                                   tmp_path) -> None:
    """What a person sees without `--json`: each sheet not imported with why, and the header warning."""
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    servers = book.add_worksheet("Servers")
    servers.write_row(2, 0, ["name", "ip_address", "operating_system"])  # below two blank rows
    for n, server in enumerate(SERVERS, start=3):
        servers.write_row(n, 0, server)
    book.add_worksheet("Empty")
    hidden = book.add_worksheet("Lists")
    hidden.write_column(0, 0, ["Environment", "prod"])
    hidden.hide()
    book.close()
    e = await make_engagement(app_pool)
    owner = cli_env | await give_login(migrated_db, e.owner_id)
    warning = "book.xlsx: rows 1-2 of sheet 'Servers' are blank, so row 3 was taken as the header row: check that " \
              "it names the columns"
    async with running_worker(dev_env.client, app_pool) as queue:
        await control.launch(dev_env.client, app_pool, e.ref, [path], queue)
        await wait_for(dev_env.client, e.ref, lambda st: "data_import" in st.phase_summaries.get("discovery", {}))
        code, out, _ = await run_starter(owner, "status", str(e.ref.id))
        assert code == 0 and "book.xlsx: 2 sheets not imported: Empty (an empty sheet); Lists (a hidden sheet)" \
            in " ".join(out.split()), out
        code, out, _ = await run_starter(owner, "imports", "list", str(e.ref.id))
        lines = out.splitlines()
        assert code == 0 and lines[-2:] == ["book.xlsx: 2 sheets not imported: Empty (an empty sheet); Lists (a "
                                            "hidden sheet)", warning], out
        await control.cancel(dev_env.client, app_pool, e.ref, e.owner_id)
