"""Every file path a command takes is checked before any server is started or contacted (`cli/paths.py`).

Each bad path runs `starter.py` in its own process, as a person would, with no database or Temporal
configured and an empty data directory: the command must answer with exit code 1 and one line on
stderr, never a traceback, and the data directory must stay empty (no embedded server was started).
As root, the processes run without the capabilities that let root read and write any file (`setpriv`),
so unreadable files and unwritable folders are refused for root as for anyone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli import paths
from db.plan_review import PlanImportError
from domain.discovery.readers import InputFileError

ROOT = Path(__file__).resolve().parent.parent
WITHOUT_ROOT_OVERRIDES = (("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")
                          if os.geteuid() == 0 else ())


def make_files(folder: Path) -> None:
    """The files and folders the cases name, under `folder`."""
    good = folder / "good.csv"
    good.write_text("name,os\nweb-01,RHEL 9\n")
    unreadable = folder / "unreadable.csv"
    unreadable.write_text("name,os\nweb-01,RHEL 9\n")
    unreadable.chmod(0)
    (folder / "a-folder.csv").mkdir()
    (folder / "link.csv").symlink_to(good)
    (folder / "notes.txt").write_bytes(b"%PDF-1.7\n\x00\x01\x02 not delimited text" * 20)
    (folder / "prose.txt").write_text("Servers to move next year\nweb-01 and web-02, then the database\n")
    with zipfile.ZipFile(folder / "inventory.docx", "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    (folder / "inventory.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    (folder / "plan.json").write_text(json.dumps([{"asset id": "x", "wave": "1"}]))
    (folder / "read-only").mkdir()
    (folder / "read-only").chmod(0o555)


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]  # "{dir}" stands for the folder of make_files
    expect: str  # a fragment the one line must hold


BAD_INPUTS = {  # file -> what its refusal says
    "missing.csv": "missing.csv: no such file",
    "unreadable.csv": "unreadable.csv: cannot be read (permission denied)",
    "a-folder.csv": "a-folder.csv: a folder; give a file",
    "link.csv": "link.csv: a symbolic link, refused",
    "good.csv/inventory.csv": "no such file (a part of the path is not a folder)",
}
UNREAD_KINDS = {
    "launch": {"notes.txt": "notes.txt: binary data (NUL bytes), not a CSV text file",
               "inventory.docx": "inventory.docx: a zip archive but not an XLSX workbook",
               "inventory.xls": "inventory.xls: an old binary Excel (.xls)",
               "prose.txt": "prose.txt: not delimited text"},
    "plan import": {"notes.txt": "notes.txt: binary data (NUL bytes), not a CSV text file",
                    "plan.json": "plan.json: a plan import is a CSV or XLSX file, not JSON"},
}
UNREAD_KINDS["demo"] = UNREAD_KINDS["launch"]
BAD_OUTPUTS = {
    "no-such-folder/out.csv": "no-such-folder: no such folder",
    "good.csv/out.csv": "good.csv: not a folder",
    "read-only/out.csv": "read-only: cannot write into this folder (permission denied)",
    "a-folder.csv": "a-folder.csv: a folder; give the name of a file to write",
}
BAD_REPORT_FOLDERS = {
    "no-such-folder/report": "no-such-folder: no such folder",
    "read-only/report": "read-only: cannot write into this folder (permission denied)",
    "read-only": "read-only: cannot write into this folder (permission denied)",
    "good.csv": "good.csv: not a folder; give a folder to write into",
    "link.csv": "link.csv: not a folder; give a folder to write into",
    "report.html": "report.html: give a folder name; the report is written as index.html inside it",
}
READERS = {
    "launch": ("launch", "acme/dc-exit", "--import", "{path}"),
    "launch, second file": ("launch", "acme/dc-exit", "--import", "{dir}/good.csv", "--import", "{path}"),
    "demo": ("demo", "--inventory", "{path}"),
    "plan import": ("plan", "import", "acme/dc-exit", "{path}", "--user", "lead@acme.example"),
}
WRITERS = {  # command, a file name of the wrong extension and what its refusal says
    "plan export": (("plan", "export", "acme/dc-exit", "--out", "{path}"), "plan.txt",
                    "plan.txt: give a .csv, .xlsx or .md file name"),
    "imports quarantine": (("imports", "quarantine", "acme/dc-exit", "--out", "{path}"), "rows.xlsx",
                           "rows.xlsx: give a .csv file name"),
}


def _case(name: str, argv: tuple[str, ...], path: str, expect: str) -> Case:
    return Case(name, tuple(arg.replace("{path}", "{dir}/" + path) for arg in argv), expect)


CASES = [
    *(_case(f"{command}: {path}", argv, path, expect)
      for command, argv in READERS.items()
      for path, expect in {**BAD_INPUTS, **UNREAD_KINDS[command.split(",")[0]]}.items()),
    *(_case(f"{command}: {path}", argv, path, expect)
      for command, (argv, wrong, wrong_expect) in WRITERS.items()
      for path, expect in {**BAD_OUTPUTS, wrong: wrong_expect}.items()),
    *(_case(f"report: {path}", ("report", "acme/dc-exit", "--out", "{path}"), path, expect)
      for path, expect in BAD_REPORT_FOLDERS.items()),
]


def run_cli(argv: tuple[str, ...], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("MIGRATION_USER", "DATABASE_URL", "DATABASE_OWNER_URL", "TEMPORAL_ADDRESS")}
    env.update(MIGRATION_DATA_DIR=str(data_dir), COLUMNS="80")
    return subprocess.run([*WITHOUT_ROOT_OVERRIDES, sys.executable, str(ROOT / "starter.py"), *argv],
                          capture_output=True, text=True, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Every case run once, two processes at a time, each with an empty data directory of its own."""
    root = tmp_path_factory.mktemp("paths")
    folder = root / "files"
    folder.mkdir()
    make_files(folder)

    def run(index_case: tuple[int, Case]) -> tuple[str, tuple[subprocess.CompletedProcess[str], Path]]:
        index, case = index_case
        data_dir = root / f"data-{index}"
        data_dir.mkdir()
        return case.name, (run_cli(tuple(arg.replace("{dir}", str(folder)) for arg in case.argv), data_dir), data_dir)

    with ThreadPoolExecutor(max_workers=2) as pool:
        yield dict(pool.map(run, enumerate(CASES)))
    (folder / "read-only").chmod(0o755)  # so pytest can clean up


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_path_is_refused_in_one_line_before_any_server_starts(outcomes, case: Case) -> None:
    result, data_dir = outcomes[case.name]
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and case.expect in lines[0], lines[0]
    assert result.stdout == ""
    assert list(data_dir.iterdir()) == [], "the command started or prepared the embedded stack"


def test_every_command_that_takes_a_path_is_covered() -> None:
    assert {case.name.split(":")[0] for case in CASES} == {
        "launch", "launch, second file", "demo", "plan import", "plan export", "imports quarantine", "report"}


# ----------------------------------------------------------------------------- the checks in-process
def test_files_the_readers_read_pass(tmp_path: Path) -> None:
    csv_file = tmp_path / "vmInfo.txt"
    csv_file.write_text("VM\tCPUs\nweb-01\t2\n", encoding="utf-16")  # Excel's "Unicode text": delimited
    json_file = tmp_path / "servers.json"
    json_file.write_text(json.dumps({"servers": [{"name": "web-01", "os": {"name": "RHEL"}}]}))
    lines = tmp_path / "servers.jsonl"
    lines.write_text('{"name": "web-01"}\n{"name": "db-01"}\n')
    paths.inventory_files([csv_file, json_file, lines])
    plan = tmp_path / "plan.csv"
    plan.write_text("asset id,wave\n00000000-0000-0000-0000-000000000001,2\n")
    paths.plan_file(plan)


def test_the_first_bad_file_of_several_is_named(tmp_path: Path) -> None:
    good, empty = tmp_path / "vmInfo.csv", tmp_path / "vDisk.csv"
    good.write_text("VM,CPUs\nweb-01,2\n")
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"^vDisk.csv: the file is empty$"):
        paths.inventory_files([good, empty])


def test_a_plan_without_its_columns_is_refused_up_front(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("name,wave\nweb-01,2\n")
    with pytest.raises(PlanImportError, match="no column 'asset id'"):
        paths.plan_file(plan)


def test_outputs_in_a_writable_folder_pass(tmp_path: Path) -> None:
    assert paths.output_file(tmp_path / "plan.XLSX", {".csv": "csv", ".xlsx": "xlsx"}) == "xlsx"
    existing = tmp_path / "rows.csv"
    existing.write_text("old")
    assert paths.output_file(existing, {".csv": "csv"}) == "csv"  # replaced, as asked
    paths.output_folder(tmp_path)  # an existing folder
    paths.output_folder(tmp_path / "report")  # a new one
