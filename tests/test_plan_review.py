"""The plan review loop against the real PostgreSQL: the hand-checked plan of tests/test_planning_phase
exported as CSV, XLSX and Markdown, an edited file imported, and each invalid edit refused whole.

Exported rows run by wave, move group, then name: dns-01 | dev-db, dev-web | test-app | db-01, web-01, rpt-01 |
mystery-01 | keep-01, old-01. The plan: wave 0 foundation dns-01 (shared service); wave 1 pilot dev-web + dev-db;
wave 2 non-production test-app; wave 3 web-01 + db-01 (move group shop) + rpt-01 (an ordering cycle with shop);
wave 4 mystery-01; old-01 (retire) and keep-01 (retain) in no wave. At most 3 assets a wave.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import xlsxwriter
from temporalio.testing import ActivityEnvironment

from activities.planning import PlanningActivities
from db.output_files import OutputFileError
from db.plan_review import (
    KEPT_CHARS,
    MAX_PLAN_BYTES,
    PLAN_COLUMNS,
    PlanImportError,
    export_plan,
    import_plan,
    read_plan_rows,
)
from db.pool import tenant_transaction
from domain.discovery.readers import open_tables
from tests.conftest import EngagementFixture, TestDatabase, give_login, make_engagement
from tests.test_planning_phase import ASSETS_QUERY, SETTINGS, WAVES_QUERY, insert_portfolio, phase_step, rows

ROOT = Path(__file__).resolve().parent.parent
FORMULA = "=HYPERLINK(\"http://evil\",\"x\")"


@pytest.fixture
async def planned(app_pool: asyncpg.Pool) -> tuple[EngagementFixture, dict[str, uuid.UUID]]:
    """The planned engagement; mystery-01 is renamed to a formula, which exports must neutralise."""
    engagement = await make_engagement(app_pool)
    ids = await insert_portfolio(app_pool, engagement.ref, SETTINGS)
    async with tenant_transaction(app_pool, engagement.ref.client_account_id, engagement.ref.id) as conn:
        await conn.execute("UPDATE migration.assets SET name = $2 WHERE id = $1", ids["mystery-01"], FORMULA)
    step = await phase_step(app_pool, engagement.ref, "planning")
    await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, step)
    return engagement, ids


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, table: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return path


async def snapshot(pool: asyncpg.Pool, ref: Any) -> tuple[list[dict[str, Any]], ...]:
    return (await rows(pool, ref, WAVES_QUERY), await rows(pool, ref, ASSETS_QUERY),
            await rows(pool, ref, "SELECT rule, detail FROM migration.plan_violations ORDER BY rule, detail"))


async def test_csv_export_has_one_neutralised_row_per_asset(app_pool, planned, tmp_path) -> None:
    engagement, ids = planned
    path = tmp_path / "plan.csv"
    assert await export_plan(app_pool, engagement.ref, path, "csv") == 10
    table = read_csv(path)
    assert list(table[0]) == list(PLAN_COLUMNS)
    by_name = {row["name"]: row for row in table}
    assert [row["wave"] for row in table] == ["0", "1", "1", "2", "3", "3", "3", "4", "", ""]
    dev = by_name["dev-db"]
    assert (dev["asset id"], dev["environment"], dev["criticality"], dev["strategy"], dev["wave kind"],
            dev["wave start"], dev["wave end"]) == (str(ids["dev-db"]), "development", "low", "rehost", "pilot",
                                                    "2027-01-16", "2027-01-29")
    assert dev["placement reason"].startswith("pilot wave 1 with move group MG-")
    assert by_name["web-01"]["application"] == "shop" and by_name["web-01"]["move group"] == by_name["db-01"]["move group"]
    assert "'" + FORMULA in by_name and FORMULA not in by_name  # written as text, never as a formula
    assert by_name["old-01"]["wave"] == "" and by_name["old-01"]["placement reason"] == (
        "strategy retire: decommissioned, not migrated")
    assert not (tmp_path / "plan.csv.partial").exists()


async def test_xlsx_export_has_plan_waves_and_violations_sheets(app_pool, planned, tmp_path) -> None:
    engagement, ids = planned
    path = tmp_path / "plan.xlsx"
    assert await export_plan(app_pool, engagement.ref, path, "xlsx") == 10
    sheets = {table.name: table for table in open_tables(path)}
    assert list(sheets) == ["Plan", "Waves", "Violations"]
    plan = sheets["Plan"].next_batch(100)
    assert [r.values["wave"] for r in plan] == ["0", "1", "1", "2", "3", "3", "3", "4", "", ""]
    assert {r.values["name"] for r in plan} >= {"dev-web", "'" + FORMULA}
    assert plan[1].values["asset id"] == str(ids["dev-db"]) and plan[1].values["wave kind"] == "pilot"
    waves = [r.values for r in sheets["Waves"].next_batch(100)]
    assert [(w["wave"], w["kind"], w["start"], w["end"], w["assets"], w["storage TB"], w["effort person-days"],
             w["cost"]) for w in waves] == [
        ("0", "foundation", "2027-01-04", "2027-01-17", "1", "0.02", "1.5", "1425"),
        ("1", "pilot", "2027-01-16", "2027-01-29", "2", "0.391", "3", "2850"),
        ("2", "non_production", "2027-01-28", "2027-02-10", "1", "0.049", "1.5", "1425"),
        ("3", "production", "2027-02-09", "2027-02-22", "3", "1.244", "20.5", "19475"),
        ("4", "production", "2027-02-21", "2027-03-06", "1", "0", "3", "2850"),
    ]
    violations = [r.values for r in sheets["Violations"].next_batch(100)]
    assert [(v["rule"], v["assets"], v["first assets"]) for v in violations] == [
        ("left_behind", "2", "keep-01 and web-01"), ("ordering_cycle", "3", "db-01, rpt-01 and web-01")]


async def test_markdown_export_reads_as_a_plan_per_wave(app_pool, planned, tmp_path) -> None:
    engagement, _ = planned
    path = tmp_path / "plan.md"
    assert await export_plan(app_pool, engagement.ref, path, "md") == 10
    text = path.read_text()
    assert text.startswith(f"# Wave plan: {engagement.ref.name}\n\n8 assets in 5 waves, 2027-01-04 to 2027-03-06; "
                           "effort 29.5 person-days, cost 28,025 at 950 a day.\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Wave 0: foundation, 2027-01-04 to 2027-01-17",
                        "## Wave 1: pilot, 2027-01-16 to 2027-01-29",
                        "## Wave 2: non-production, 2027-01-28 to 2027-02-10",
                        "## Wave 3: production, 2027-02-09 to 2027-02-22",
                        "## Wave 4: production, 2027-02-21 to 2027-03-06",
                        "## Not migrated", "## Violations and ordering cycles"]
    assert ("1 asset, 0.00 TB, 3.0 person-days, cost 2,850; 1 asset without a strategy (middle effort estimate)."
            in text)
    assert "| dev-web | - | development | low | rehost | MG-" in text
    assert "| old-01 | - | production | retire | strategy retire: decommissioned, not migrated |" in text
    assert "- **ordering cycle**: move groups " in text and "(3 assets: db-01, rpt-01 and web-01; move groups MG-" in text


async def test_an_edited_csv_is_applied_with_its_warnings(app_pool, planned, tmp_path) -> None:
    engagement, ids = planned
    path = tmp_path / "plan.csv"
    await export_plan(app_pool, engagement.ref, path, "csv")
    table = read_csv(path)
    for row in table:
        if row["asset id"] == str(ids["mystery-01"]):
            row["wave"] = "3"  # wave 3 then holds 4 assets, over the cap of 3: a warning
    result = await import_plan(app_pool, engagement.ref, write_csv(tmp_path / "edited.csv", table), engagement.owner_id)
    assert (result.waves, result.assets_planned, result.assets_moved) == (4, 8, 1)
    assert result.warnings[0] == "left_behind: web-01 is tied to keep-01, which stays " \
        "(strategy retain: stays where it is, not migrated)"
    assert any(w.startswith("wave_cap: wave 3 holds 4 assets, over max_assets = 3") for w in result.warnings)

    waves, assets, violations = await snapshot(app_pool, engagement.ref)
    assert [(w["wave_number"], w["kind"], w["asset_count"], w["estimated_effort_days"], w["undecided_assets"])
            for w in waves] == [(0, "foundation", 1, 1.5, 0), (1, "pilot", 2, 3.0, 0), (2, "non_production", 1, 1.5, 0),
                                (3, "production", 4, 23.5, 1)]
    by_name = {a["name"]: a for a in assets}
    assert by_name[FORMULA]["wave_number"] == 3 and by_name[FORMULA]["member_of"] == 3
    owner_email = (await rows(app_pool, engagement.ref, "SELECT email FROM migration.users WHERE id = $1",
                              engagement.owner_id))[0]["email"]
    assert {a["wave_reason"] for a in assets if a["wave_number"]} == {f"set by {owner_email} in a plan import"}
    assert by_name["old-01"]["wave_reason"] == "strategy retire: decommissioned, not migrated"
    assert [v["rule"] for v in violations] == ["left_behind", "ordering_cycle", "wave_cap"]


async def test_an_edited_workbook_is_applied(app_pool, planned, tmp_path) -> None:
    engagement, ids = planned
    path = tmp_path / "edited.xlsx"
    waves = {"dev-web": 1, "dev-db": 1, "test-app": 1, "web-01": 2, "db-01": 2, "rpt-01": 2, "dns-01": 3,
             "mystery-01": 3}  # no pilot: the non-production groups share wave 1
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Plan")
    sheet.write_row(0, 0, ["Asset ID", "Name", "Wave"])
    for row, (name, wave) in enumerate([*waves.items(), ("old-01", None), ("keep-01", None)], start=1):
        sheet.write_row(row, 0, [str(ids[name]), name, wave])
    book.close()
    result = await import_plan(app_pool, engagement.ref, path, engagement.owner_id)
    assert (result.waves, result.assets_moved) == (3, 6)  # all but dev-web and dev-db
    assert "pilot: no move group qualifies for the pilot" in result.warnings[1]
    stored = await rows(app_pool, engagement.ref, WAVES_QUERY)
    assert [(w["wave_number"], w["kind"], w["asset_count"]) for w in stored] == [
        (1, "non_production", 3), (2, "production", 3), (3, "production", 2)]


def row_of(table: list[dict[str, str]], ids: dict[str, uuid.UUID], name: str) -> dict[str, str]:
    return next(row for row in table if row["asset id"] == str(ids[name]))


EDITS: list[tuple[str, Any, str]] = [  # rows: 2 dns-01, 3 dev-db, 4 dev-web, 5 test-app ... 11 old-01
    ("unknown asset", lambda t, ids: t.append({**t[0], "asset id": "not-an-asset"}),
     "row 12: unknown asset 'not-an-asset'"),
    ("duplicate row", lambda t, ids: t.append(dict(t[1])), "row 12: asset 'dev-db' appears again (first in row 3)"),
    ("non-integer wave", lambda t, ids: row_of(t, ids, "dev-db").update(wave="1.5"),
     "must be a whole number from 0 (the foundation) to 8 (the number of migrating assets), not '1.5'"),
    ("huge wave", lambda t, ids: row_of(t, ids, "dev-db").update(wave=str(10**18)),
     "row 3: the wave of asset 'dev-db' must be a whole number from 0 (the foundation) to 8"),
    ("retired asset in a wave", lambda t, ids: row_of(t, ids, "old-01").update(wave="4"),
     "asset 'old-01' is not migrated (strategy retire: decommissioned, not migrated)"),
    ("split move group", lambda t, ids: row_of(t, ids, "db-01").update(wave="4"), "is split across waves 3, 4"),
    ("mixed wave", lambda t, ids: row_of(t, ids, "test-app").update(wave="3"), "wave 3 mixes non-production move groups"),
    ("non-production after production", lambda t, ids: row_of(t, ids, "test-app").update(wave="5"),
     "wave 5 holds non-production move groups after production wave 3"),
    ("gap", lambda t, ids: [r.update(wave="6") for r in t if r["wave"] == "4"], "no asset is in waves 4, 5"),
    ("missing asset", lambda t, ids: t.remove(row_of(t, ids, "dev-web")),
     "1 migrating asset has no row, so no wave: 'dev-web'"),
    ("pilot outside wave 1", lambda t, ids: row_of(t, ids, "test-app").update({"wave kind": "pilot"}),
     "only wave 1 can be the pilot"),
    ("a shared service's group name taken", lambda t, ids: row_of(t, ids, "test-app").update(
        {"move group": row_of(t, ids, "dns-01")["move group"]}), "names starting SHARED- are the shared services' own"),
]


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in EDITS], ids=[name for name, _, _ in EDITS])
async def test_each_invalid_edit_is_refused_and_changes_nothing(app_pool, planned, tmp_path, edit, message) -> None:
    engagement, ids = planned
    path = tmp_path / "plan.csv"
    await export_plan(app_pool, engagement.ref, path, "csv")
    before = await snapshot(app_pool, engagement.ref)
    table = read_csv(path)
    edit(table, ids)
    with pytest.raises(PlanImportError) as err:
        await import_plan(app_pool, engagement.ref, write_csv(tmp_path / "edited.csv", table), engagement.owner_id)
    assert str(err.value).startswith("edited.csv: the plan was not changed; ")
    assert message % {name: str(value) for name, value in ids.items()} in str(err.value)
    assert await snapshot(app_pool, engagement.ref) == before


async def test_files_and_people_that_cannot_change_the_plan_are_refused(app_pool, planned, tmp_path) -> None:
    engagement, ids = planned
    path = tmp_path / "plan.csv"
    await export_plan(app_pool, engagement.ref, path, "csv")
    before = await snapshot(app_pool, engagement.ref)
    with pytest.raises(PlanImportError, match=r"may not change the plan .* \(role: viewer; allowed: owner, approver"):
        await import_plan(app_pool, engagement.ref, path, engagement.viewer_id)
    no_wave = write_csv(tmp_path / "no-wave.csv", [{"asset id": r["asset id"]} for r in read_csv(path)])
    with pytest.raises(PlanImportError, match="no-wave.csv: no column 'wave'; export the plan"):
        await import_plan(app_pool, engagement.ref, no_wave, engagement.owner_id)
    (tmp_path / "plan.json").write_text('[{"asset id": "x", "wave": 1}]')
    with pytest.raises(PlanImportError, match=r"plan.json: a plan import is a .csv or .xlsx file as `plan export` "
                                              "writes them, not a .json file"):
        await import_plan(app_pool, engagement.ref, tmp_path / "plan.json", engagement.owner_id)
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(PlanImportError, match="empty.csv: the file is empty"):
        await import_plan(app_pool, engagement.ref, tmp_path / "empty.csv", engagement.owner_id)
    assert await snapshot(app_pool, engagement.ref) == before


async def test_no_export_without_a_plan(app_pool, tmp_path) -> None:
    engagement = await make_engagement(app_pool)
    with pytest.raises(ValueError, match="has no wave plan to export: run the planning phase first"):
        await export_plan(app_pool, engagement.ref, tmp_path / "plan.csv", "csv")
    assert not (tmp_path / "plan.csv").exists()


# ----------------------------------------------------------------------------- bounds
def test_a_refusal_lists_its_first_problems_and_keeps_at_most_a_thousand() -> None:
    refusal = PlanImportError("plan.csv: the plan was not changed", [f"row {n}: unknown asset" for n in range(1500)])
    lines = str(refusal).splitlines()
    assert lines[0] == "plan.csv: the plan was not changed; 1,500 problems:"
    assert lines[1:31] == [f"  - row {n}: unknown asset" for n in range(30)]
    assert lines[31:] == ["  … and 1,470 more (`plan import --json` lists the first 1,000)"]
    assert (len(refusal.problems), refusal.count) == (1000, 1500)
    assert len(PlanImportError("h", ["x" * 100_000]).problems[0]) < 1000
    assert PlanImportError("h", ["row 2: cell 'a\nb' is 2.0 MB"]).problems == ("row 2: cell 'a b' is 2.0 MB",)
    assert str(PlanImportError("plan.csv: not a plan")) == "plan.csv: not a plan"


def test_a_plan_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    with plan.open("wb") as fh:
        fh.write(b"asset id,wave\n")
        fh.truncate(MAX_PLAN_BYTES + 1)  # sparse: nothing is written or read
    with pytest.raises(PlanImportError, match=r"^plan.csv: 512 MiB, over the 512 MiB limit of a plan file$"):
        read_plan_rows(plan)


def test_a_plan_wider_than_a_hundred_columns_is_refused(tmp_path: Path) -> None:
    plan = write_csv(tmp_path / "plan.csv", [{"asset id": "x", "wave": "1", **{f"note {n}": "" for n in range(99)}}])
    with pytest.raises(PlanImportError, match=r"^plan.csv: 101 columns; a plan has at most 100 \(the export has 12\)$"):
        read_plan_rows(plan)


def test_of_each_row_only_the_start_of_its_asset_id_wave_and_kind_is_kept(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    long = "x" * 500_000
    write_csv(plan, [{"asset id": f"  {long}  ", "move group": long * 2, "wave": long, "wave kind": long}])
    (row,) = read_plan_rows(plan)
    assert (row.row, row.asset_id, row.wave, row.kind) == (2, "x" * KEPT_CHARS + "…", "x" * KEPT_CHARS + "…",
                                                           "x" * KEPT_CHARS + "…")


# ----------------------------------------------------------------------------- the commands
def run_cli(db: TestDatabase, data_dir: Path, login: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """`plan ARGV` run under the person's `login` (`give_login`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=db.app_url, MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING", **login)
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), "plan", *argv], capture_output=True, text=True,
                          env=env, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)


async def test_a_plan_of_huge_waves_is_refused_with_a_bounded_list(app_pool, planned, migrated_db, tmp_path) -> None:
    """Every wave 2147483647 or 99999999999999999999 once hung the command and grew it to 13 GB."""
    engagement, _ = planned
    owner = await give_login(migrated_db, engagement.owner_id)
    await export_plan(app_pool, engagement.ref, tmp_path / "plan.csv", "csv")
    before = await snapshot(app_pool, engagement.ref)
    table = read_csv(tmp_path / "plan.csv")
    for number, row in enumerate(r for r in table if r["wave"]):
        row["wave"] = "2147483647" if number % 2 else "99999999999999999999"
    table += [{**table[0], "asset id": f"ghost-{n}"} for n in range(40)]
    edited = write_csv(tmp_path / "edited.csv", table)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    ident = str(engagement.ref.id)

    result = run_cli(migrated_db, data_dir, owner, "import", ident, str(edited))
    assert result.returncode == 1 and result.stdout == "", (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "error: edited.csv: the plan was not changed; 48 problems:"
    assert len(lines) == 32 and all(line.startswith("  - row ") for line in lines[1:31])
    assert lines[1].endswith("must be a whole number from 0 (the foundation) to 8 (the number of migrating assets), "
                             "not '99999999999999999999'")
    assert lines[2].endswith("must be a whole number from 0 (the foundation) to 8 (the number of migrating assets), "
                             "not '2147483647'")
    assert lines[9] == "  - row 12: unknown asset 'ghost-0' (not an asset id of this engagement)"
    assert lines[31] == "  … and 18 more (`plan import --json` lists them all)"

    result = run_cli(migrated_db, data_dir, owner, "import", ident, str(edited), "--json")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["error: edited.csv: the plan was not changed; 48 problems, listed in "
                                          "the JSON output"]
    refusal = json.loads(result.stdout)
    assert (refusal["applied"], refusal["refusal"], refusal["problem_count"], len(refusal["problems"])) == (
        False, "edited.csv: the plan was not changed", 48, 48)
    assert refusal["problems"][-1] == "row 51: unknown asset 'ghost-39' (not an asset id of this engagement)"
    assert await snapshot(app_pool, engagement.ref) == before
    assert list(data_dir.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "md"])
async def test_an_export_that_cannot_be_written_names_the_file_and_leaves_nothing(app_pool, planned, tmp_path,
                                                                                  fmt) -> None:
    engagement, _ = planned
    for target, why in [(Path(f"/proc/plan.{fmt}"), "cannot write /proc/plan.{fmt}: "),
                        (tmp_path / "gone" / f"plan.{fmt}", f"cannot write {tmp_path}/gone/plan.{fmt}: no such file or "
                                                            "directory"),
                        (tmp_path / "a-folder", f"cannot write {tmp_path}/a-folder: is a directory")]:
        if target.name == "a-folder":
            (target / "inside").mkdir(parents=True)  # written whole, then it cannot replace the folder
        with pytest.raises(OutputFileError) as refused:
            await export_plan(app_pool, engagement.ref, target, fmt)
        assert str(refused.value).startswith(why.format(fmt=fmt)), refused.value
        assert not target.with_name(target.name + ".partial").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder"]


async def test_plan_export_to_proc_is_one_line(app_pool, planned, migrated_db, tmp_path) -> None:
    engagement, _ = planned
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    viewer = await give_login(migrated_db, engagement.viewer_id)  # a viewer exports
    result = run_cli(migrated_db, data_dir, viewer, "export", str(engagement.ref.id), "--out", "/proc/plan.csv")
    assert result.returncode == 1 and result.stdout == "", (result.stdout, result.stderr)
    # root may write into /proc as far as the folder's mode says, so the writer finds out
    expected = ("cannot write /proc/plan.csv: no such file or directory" if os.geteuid() == 0
                else "/proc: cannot write into this folder (permission denied)")
    assert result.stderr == f"error: {expected}\n"
    assert not Path("/proc/plan.csv.partial").exists() and list(data_dir.iterdir()) == []


async def test_an_edit_that_renames_a_group_splits_it_and_the_names_are_kept(app_pool, planned, tmp_path) -> None:
    """The move group column is honoured: web-01 leaves its application's group for a group of its own, a wave
    later; the import warns which ties that parts and writes the person's group names."""
    engagement, ids = planned
    path = tmp_path / "plan.csv"
    await export_plan(app_pool, engagement.ref, path, "csv")
    table = read_csv(path)
    row_of(table, ids, "web-01").update({"wave": "4", "move group": "shop-web"})
    result = await import_plan(app_pool, engagement.ref, write_csv(tmp_path / "edited.csv", table), engagement.owner_id)
    assert result.assets_moved == 1
    [split] = [w for w in result.warnings if w.startswith("split_group")]
    assert split.endswith("is split into 'MG-0001' (wave 3), 'shop-web' (wave 4): its ties (application 'shop') are "
                          "parted while its parts move in different waves")
    assets = {a["name"]: a for a in await rows(app_pool, engagement.ref, ASSETS_QUERY)}
    assert (assets["web-01"]["move_group"], assets["web-01"]["wave_number"]) == ("shop-web", 4)
    assert assets["db-01"]["move_group"] == "MG-0001"
