"""Every file path a command takes is checked before any server is started or contacted (`cli/paths.py`).

Each bad path runs `starter.py` in its own process, as a person would, with no database or Temporal
configured and an empty data directory: the command must answer with exit code 1 and one line on
stderr, never a traceback, and the data directory must stay empty (no embedded server was started).
An empty path is a usage error (exit code 2) of every path option and argument, and nothing is written.
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
import typer.main

from cli import paths
from db.plan_review import MAX_PLAN_ROWS, PlanImportError
from domain.discovery.readers import InputFileError
from starter import app

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
    (folder / "plan.md").write_text("# Wave plan: dc-exit\n\n| asset | wave |\n|---|---|\n| web-01 | 1 |\n")
    (folder / "plan").write_text("asset id,wave\nx,1\n")
    (folder / "binary.csv").write_bytes(b"asset id,wave\n\x00\x01\x02" * 20)
    (folder / "random.xlsx").write_bytes(bytes(range(256)) * 20)  # not a workbook
    (folder / "json.csv").write_text(json.dumps([{"asset id": "x", "wave": "1"}]))
    (folder / "diskInfo.csv").write_text("MachineId,DiskLabel,SizeInGib,UsedInGib,StorageTypeLabel\nvm-1,C:,100,40,SSD\n")
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
               "prose.txt": "prose.txt: not delimited text",
               # a supplement is read only together with the inventory it describes
               "diskInfo.csv": "diskInfo.csv needs the vmInfo.csv it describes in the same import"},
    "plan import": {"notes.txt": "notes.txt: a plan import is a .csv or .xlsx file as `plan export` writes them, "
                                 "not a .txt file",
                    "plan.json": "plan.json: a plan import is a .csv or .xlsx file as `plan export` writes them, "
                                 "not a .json file",
                    "plan.md": "plan.md: a plan import is a .csv or .xlsx file as `plan export` writes them, "
                               "not a .md file",
                    "plan": "plan: a plan import is a .csv or .xlsx file as `plan export` writes them, not a file "
                            "without an extension",
                    "json.csv": "json.csv: a plan import is a CSV or XLSX file, not JSON",
                    "binary.csv": "binary.csv: binary data (NUL bytes), not a CSV text file",
                    "random.xlsx": "random.xlsx: not an XLSX workbook (the file is not a zip archive); save the plan "
                                   "from the spreadsheet as .xlsx or .csv",
                    "inventory.docx": "inventory.docx: a plan import is a .csv or .xlsx file"},
}
UNREAD_KINDS["demo"] = UNREAD_KINDS["launch"]
UNREAD_KINDS["runbook import"] = {
    "notes.txt": "notes.txt: not valid YAML: unacceptable character #x0000: control characters are not allowed",
    "inventory.xls": "inventory.xls: not UTF-8 text (byte 1); save the template as UTF-8",
    "plan.json": "plan.json: the template was not imported: template: a template is a mapping (name, strategy, "
                 "groups), not a list",
    "good.csv": "good.csv: the template was not imported: template: a template is a mapping (name, strategy, "
                "groups), not text",
}
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
    "plan import": ("plan", "import", "acme/dc-exit", "{path}"),
    "runbook import": ("runbook", "import", "acme/dc-exit", "{path}", "--strategy", "rehost"),
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


def run_cli(argv: tuple[str, ...], data_dir: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DATABASE_OWNER_URL", "TEMPORAL_ADDRESS")}
    env.update(MIGRATION_DATA_DIR=str(data_dir), COLUMNS="80")
    return subprocess.run([*WITHOUT_ROOT_OVERRIDES, sys.executable, str(ROOT / "starter.py"), *argv],
                          capture_output=True, text=True, env=env, cwd=cwd, stdin=subprocess.DEVNULL, timeout=120)


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
        "launch", "launch, second file", "demo", "plan import", "plan export", "imports quarantine", "report",
        "runbook import"}


# ----------------------------------------------------------------------------- an empty path
EMPTY_PATHS = {  # command line with an empty path -> the option or argument named
    "launch": (("launch", "acme/dc-exit", "--import", ""), "'--import'"),
    "launch, second file": (("launch", "acme/dc-exit", "--import", "{dir}/good.csv", "--import", ""), "'--import'"),
    "demo": (("demo", "--inventory", ""), "'--inventory'"),
    "plan import": (("plan", "import", "acme/dc-exit", ""), "'path'"),
    "plan export": (("plan", "export", "acme/dc-exit", "--out", ""), "'--out'"),
    "imports quarantine": (("imports", "quarantine", "acme/dc-exit", "--out", ""), "'--out'"),
    "report": (("report", "acme/dc-exit", "--out", ""), "'--out'"),
    "runbook import": (("runbook", "import", "acme/dc-exit", "", "--strategy", "rehost"), "'path'"),
    "runbook export": (("runbook", "export", "acme/dc-exit", "--strategy", "rehost", "--output", ""), "'--output'"),
    "runbook schema": (("runbook", "schema", "--output", ""), "'--output'"),
}


@pytest.mark.parametrize("command", list(EMPTY_PATHS))
def test_an_empty_path_is_a_usage_error_and_nothing_is_written(command: str, tmp_path: Path) -> None:
    """`report --out ''` wrote its index.html into the current folder: "" is "." to `Path`."""
    argv, named = EMPTY_PATHS[command]
    folder, data_dir, here = tmp_path / "files", tmp_path / "data", tmp_path / "here"
    for made in (folder, data_dir, here):
        made.mkdir()
    (folder / "good.csv").write_text("name,os\nweb-01,RHEL 9\n")
    result = run_cli(tuple(arg.replace("{dir}", str(folder)) for arg in argv), data_dir, cwd=here)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout and result.stdout == ""
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: Invalid value for {named}: an empty path; give the name of a file or "
                                    "folder (Usage: "), result.stderr
    assert list(here.iterdir()) == [] and list(data_dir.iterdir()) == []


def test_every_path_option_and_argument_refuses_an_empty_path() -> None:
    """A path parameter added later is parsed by `given_path` too (its annotation says Path)."""
    def path_params(command, name: str = ""):
        for sub_name, sub in getattr(command, "commands", {}).items():
            yield from path_params(sub, f"{name} {sub_name}".strip())
        for param in getattr(command, "params", []):
            descriptor = getattr(param, "type_descriptor", None)
            if descriptor is not None and descriptor.annotation in (Path, list[Path]):
                yield f"{name} {param.name}", descriptor.parameter_info.parser

    found = dict(path_params(typer.main.get_command(app)))
    assert set(found) == {"launch import_files", "demo inventory", "plan import path", "plan export out",
                          "imports quarantine out", "report out", "runbook import path", "runbook export output",
                          "runbook schema output", "ops backup out", "ops restore backup"}
    assert set(found.values()) == {paths.given_path}


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


def test_a_software_inventory_is_refused_up_front_naming_the_file() -> None:
    software = (Path(__file__).resolve().parent / "fixtures" / "corpus"
                / "azure-docs-powershell-samples__Application Inventory Export Sample.xlsx")
    with pytest.raises(InputFileError, match=rf"^{software.name} \(sheet 'ApplicationInventory'\) is an Azure Migrate "
                                             r"software inventory: .* not the machines"):
        paths.inventory_files([software])


def test_a_plan_without_its_columns_is_refused_up_front(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("name,wave\nweb-01,2\n")
    with pytest.raises(PlanImportError, match="no column 'asset id'"):
        paths.plan_file(plan)


def test_a_plan_of_more_rows_than_a_spreadsheet_holds_is_refused_up_front(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    with plan.open("w") as fh:
        fh.write("asset id,wave\n")
        fh.writelines(f"a{n},1\n" for n in range(MAX_PLAN_ROWS + 1))
    with pytest.raises(PlanImportError) as refused:
        paths.plan_file(plan)
    assert str(refused.value) == ("plan.csv: more than 1,048,576 rows; a plan has one row per asset and at most "
                                  "1,048,576 (as many as a spreadsheet holds)")


def test_outputs_in_a_writable_folder_pass(tmp_path: Path) -> None:
    assert paths.output_file(tmp_path / "plan.XLSX", {".csv": "csv", ".xlsx": "xlsx"}) == "xlsx"
    existing = tmp_path / "rows.csv"
    existing.write_text("old")
    assert paths.output_file(existing, {".csv": "csv"}) == "csv"  # replaced, as asked
    paths.output_folder(tmp_path)  # an existing folder
    paths.output_folder(tmp_path / "report")  # a new one


def test_a_link_is_read_only_when_the_person_says_they_mean_its_target(tmp_path: Path) -> None:
    make_files(tmp_path)
    link = tmp_path / "link.csv"
    with pytest.raises(paths.PathError, match="a symbolic link, refused .* pass --follow-links"):
        paths.inventory_files([link])
    assert paths.inventory_files([link], follow_links=True) == [("link.csv", "inventory")]  # read, named as given
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "gone.csv")
    with pytest.raises(paths.PathError, match="dangling.csv: no such file"):
        paths.inventory_files([tmp_path / "dangling.csv"], follow_links=True)
    (tmp_path / "folder-link.csv").symlink_to(tmp_path / "a-folder.csv")
    with pytest.raises(paths.PathError, match="a folder; give a file"):
        paths.inventory_files([tmp_path / "folder-link.csv"], follow_links=True)
