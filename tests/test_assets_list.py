"""`assets list` against the real PostgreSQL: the hand-checked plan of tests/test_planning_phase, planned by
the real planning activity, then listed with filters, alone and combined, in a table, JSON and CSV.

Beside the plan's assets: web-01 (rehost, 4 cores) was decided by a person (`user`), the other strategies by
the rules; the application asset `billing` runs on rpt-01 (so rpt-01 belongs to billing, as web-01 and db-01
to shop by their application name); db-01's OS is a formula, which the CSV must neutralise. Another client's
engagement and another engagement of the same client hold assets that must never appear.

Waves: 1 dev-web, dev-db; 2 test-app; 3 web-01, db-01, rpt-01; 4 dns-01, mystery-01; none: old-01, keep-01
and billing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.planning import PlanningActivities
from cli.assets import CSV_COLUMNS, _write_table, fit_widths
from db.asset_list import AssetFilters, list_assets
from db.pool import tenant_transaction
from tests.conftest import EngagementFixture, TestDatabase, give_login, make_engagement
from tests.test_planning_phase import EXPECTED_WAVE_OF, SETTINGS, insert_portfolio, phase_step

ROOT = Path(__file__).resolve().parent.parent
FORMULA_OS = "=cmd|' /C calc'!A0"
PLAN_ASSETS = set(EXPECTED_WAVE_OF)


async def _insert_asset(conn: asyncpg.Connection, ref: Any, name: str, **columns: Any) -> uuid.UUID:
    names = ["client_account_id", "engagement_id", "name", *columns]
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    return await conn.fetchval(f"INSERT INTO migration.assets ({', '.join(names)}) VALUES ({placeholders}) RETURNING id",
                               ref.client_account_id, ref.id, name, *columns.values())


@pytest.fixture(scope="module")
async def listed(app_pool: asyncpg.Pool) -> tuple[EngagementFixture, EngagementFixture, EngagementFixture]:
    """The planned engagement, then another engagement of its client and one of another client."""
    engagement = await make_engagement(app_pool)
    ref = engagement.ref
    ids = await insert_portfolio(app_pool, ref, SETTINGS)
    await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves,
                                    await phase_step(app_pool, ref, "planning"))
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.assets SET strategy_source = 'rule' WHERE six_r_strategy IS NOT NULL")
        await conn.execute("UPDATE migration.assets SET strategy_source = 'user', cpu_cores = 4, memory_gb = 15.5,"
                           " operating_system = 'Red Hat Enterprise Linux 9.2' WHERE id = $1", ids["web-01"])
        await conn.execute("UPDATE migration.assets SET operating_system = $2 WHERE id = $1", ids["db-01"], FORMULA_OS)
        billing = await _insert_asset(conn, ref, "billing", asset_type="application")
        await conn.execute(
            "INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, source_asset_id,"
            " target_asset_id, dependency_type) VALUES ($1, $2, $3, $4, 'runs_on')",
            ref.client_account_id, ref.id, billing, ids["rpt-01"])
    sibling = await make_engagement(app_pool, ref.client_account_id)
    stranger = await make_engagement(app_pool)
    for other in (sibling, stranger):
        async with tenant_transaction(app_pool, other.ref.client_account_id, other.ref.id) as conn:
            await _insert_asset(conn, other.ref, "secret-01", environment="production", six_r_strategy="rehost",
                                application_name="shop")
    return engagement, sibling, stranger


async def names(pool: asyncpg.Pool, engagement: EngagementFixture, **options: Any) -> list[str]:
    return [a["name"] for a in await list_assets(pool, engagement.ref, AssetFilters.parse(**options))]


async def test_every_asset_once_by_name_with_its_applications_strategy_and_wave(app_pool, listed) -> None:
    engagement, _, _ = listed
    assets = await list_assets(app_pool, engagement.ref, AssetFilters())
    assert [a["name"] for a in assets] == sorted(PLAN_ASSETS | {"billing"})
    by_name = {a["name"]: a for a in assets}
    assert {name: by_name[name]["wave_number"] for name in PLAN_ASSETS} == EXPECTED_WAVE_OF
    web = by_name["web-01"]
    assert (web["asset_type"], web["environment"], web["operating_system"], web["applications"], web["cpu_cores"],
            web["memory_gb"], web["storage_gb"], web["six_r_strategy"], web["strategy_source"],
            web["migration_status"]) == ("server", "production", "Red Hat Enterprise Linux 9.2", ["shop"], 4, 15.5,
                                         200.0, "rehost", "user", "planned")
    assert by_name["rpt-01"]["applications"] == ["billing"]
    assert by_name["billing"]["applications"] == ["billing"] and by_name["billing"]["asset_type"] == "application"
    assert by_name["mystery-01"]["six_r_strategy"] is None and by_name["mystery-01"]["strategy_source"] is None
    assert by_name["old-01"]["wave_number"] is None and by_name["old-01"]["migration_status"] == "not_started"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"wave": 3}, ["db-01", "rpt-01", "web-01"]),
        ({"wave": 1}, ["dev-db", "dev-web"]),
        ({"strategy": "rehost"}, ["dev-db", "dev-web", "dns-01", "test-app", "web-01"]),
        ({"strategy": "Lift & Shift"}, ["dev-db", "dev-web", "dns-01", "test-app", "web-01"]),  # a synonym
        ({"strategy": "re-architect"}, ["rpt-01"]),  # refactor
        ({"strategy": "TBC"}, ["billing", "mystery-01"]),  # not decided yet
        ({"environment": "dev"}, ["dev-db", "dev-web"]),
        ({"environment": "Test"}, ["test-app"]),
        ({"environment": "disaster_recovery"}, []),
        ({"application": " SHOP "}, ["db-01", "web-01"]),  # ignoring case and spaces
        ({"application": "billing"}, ["billing", "rpt-01"]),  # the application asset and what it runs on
        ({"wave": 3, "strategy": "rehost"}, ["web-01"]),
        ({"wave": 3, "application": "shop", "environment": "prod", "strategy": "replatform"}, ["db-01"]),
        ({"wave": 4, "strategy": "undecided"}, ["mystery-01"]),
        ({"environment": "production", "strategy": "retire"}, ["old-01"]),
        ({"wave": 1, "environment": "production"}, []),  # each filter matches something, together nothing
        ({"wave": 2, "application": "shop"}, []),
    ],
)
async def test_filters_and_their_combinations(app_pool, listed, options: dict[str, Any], expected: list[str]) -> None:
    engagement, _, _ = listed
    assert await names(app_pool, engagement, **options) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"strategy": "teleport"}, "'teleport' is not a migration strategy; use one of rehost, replatform, refactor, "
                                   "repurchase, retire, retain, relocate, rewrite or TBC"),
        ({"environment": "moon base"}, "'moon base' is not an environment; use one of production, disaster_recovery, "
                                       "staging, uat, test, development"),
        ({"application": "   "}, "--application: give an application's name"),
    ],
)
def test_a_word_no_vocabulary_knows_is_refused_with_the_valid_ones(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as refused:
        AssetFilters.parse(**options)
    assert message in str(refused.value) and "\n" not in str(refused.value)


async def test_a_wave_or_application_the_engagement_lacks_is_refused_with_the_valid_ones(app_pool, listed) -> None:
    engagement, _, stranger = listed
    with pytest.raises(LookupError, match=r"^no wave 9 in the plan of .*; its waves: 0, 1, 2, 3, 4$"):
        await names(app_pool, engagement, wave=9)
    with pytest.raises(LookupError, match=r"^no application 'payroll' in .*; its applications: billing, shop$"):
        await names(app_pool, engagement, application="payroll", strategy="rehost")
    with pytest.raises(LookupError, match="has no wave plan yet"):
        await names(app_pool, stranger, wave=3)


async def test_another_tenants_assets_never_appear(app_pool, listed) -> None:
    engagement, sibling, stranger = listed
    mine = await list_assets(app_pool, engagement.ref, AssetFilters())
    assert "secret-01" not in {a["name"] for a in mine}
    assert await names(app_pool, engagement, application="shop", wave=3, strategy="rehost") == ["web-01"]
    for other in (sibling, stranger):
        assert await names(app_pool, other) == ["secret-01"]
        assert await names(app_pool, other, environment="prod", application="shop") == ["secret-01"]


# ----------------------------------------------------------------------------- the command
def run_cli(db: TestDatabase, data_dir: Path, login: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """`assets list ARGV` under the person's `login` (`give_login`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=db.app_url, MIGRATION_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING", **login)
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), "assets", "list", *argv], capture_output=True,
                          text=True, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert result.stdout == ""


async def test_the_command_prints_a_table_json_csv_and_refuses_bad_requests(listed, migrated_db, tmp_path) -> None:
    engagement, sibling, stranger = listed
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    ident = str(engagement.ref.id)
    viewer = await give_login(migrated_db, engagement.viewer_id)  # a viewer lists

    table = ok(run_cli(migrated_db, data_dir, viewer, ident, "--wave", "3")).splitlines()
    assert table[0].split() == ["name", "type", "env", "os", "applications", "cpu", "mem", "disk", "strategy", "by",
                                "wave", "status"]
    assert [line.split()[0] for line in table[2:-1]] == ["db-01", "rpt-01", "web-01"]
    assert table[-1].startswith("3 assets (wave 3)")
    assert "Red Hat Enterprise Linux 9.2" in table[4]
    assert table[4].split()[-8:] == ["shop", "4", "15.5", "200", "rehost", "user", "3", "planned"]

    listed_json = json.loads(ok(run_cli(migrated_db, data_dir, viewer, ident, "--json", "--strategy", "lift and shift",
                                        "--environment", "PRD")))
    assert [(a["name"], a["six_r_strategy"], a["environment"]) for a in listed_json] == [
        ("dns-01", "rehost", "production"), ("web-01", "rehost", "production")]
    assert uuid.UUID(listed_json[1]["id"]) and listed_json[1]["applications"] == ["shop"]

    rows = list(csv.reader(io.StringIO(ok(run_cli(migrated_db, data_dir, viewer, ident, "--csv", "--application", "shop")))))
    assert tuple(rows[0]) == CSV_COLUMNS
    db_row = dict(zip(CSV_COLUMNS, rows[1]))
    assert (db_row["name"], db_row["operating system"], db_row["applications"], db_row["strategy"],
            db_row["strategy decided by"], db_row["wave"]) == ("db-01", "'" + FORMULA_OS, "shop", "replatform", "rule",
                                                               "3")
    assert len(rows) == 3

    assert ok(run_cli(migrated_db, data_dir, viewer, ident, "--wave", "1", "--environment", "production")) == (
        "no assets match (wave 1, environment production)\n")
    assert json.loads(ok(run_cli(migrated_db, data_dir, viewer, ident, "--json", "--wave", "2", "--application", "shop"))) == []
    assert "secret-01" not in ok(run_cli(migrated_db, data_dir, viewer, ident))
    for other in (sibling, stranger):  # another engagement of the client, another client's: not the viewer's
        other_id = str(other.ref.id)
        refused(run_cli(migrated_db, data_dir, viewer, other_id), 1, f"error: no engagement '{other_id}'")
        other_viewer = await give_login(migrated_db, other.viewer_id)
        assert "secret-01" in ok(run_cli(migrated_db, data_dir, other_viewer, other_id))

    refused(run_cli(migrated_db, data_dir, viewer, ident, "--strategy", "teleport"), 1,
            "error: 'teleport' is not a migration strategy; use one of rehost")
    refused(run_cli(migrated_db, data_dir, viewer, ident, "--environment", "moon"), 1, "is not an environment; use one of")
    refused(run_cli(migrated_db, data_dir, viewer, ident, "--application", "payroll"), 1,
            "no application 'payroll' in")
    refused(run_cli(migrated_db, data_dir, viewer, ident, "--json", "--csv"), 2, "give --json or --csv, not both")
    # waves are PostgreSQL integers: a larger one was the database's "value out of int32 range"
    for wave, message in [("99999999999999999999", "Input should be less than or equal to 2147483647"),
                          ("2147483648", "Input should be less than or equal to 2147483647"),
                          ("9" * 5000, "Unable to parse input string as an integer, exceeded maximum size"),
                          ("0", "Input should be greater than or equal to 1")]:
        refused(run_cli(migrated_db, data_dir, viewer, ident, "--wave", wave), 2, f"error: Invalid value for '--wave': {message}")
    refused(run_cli(migrated_db, data_dir, viewer, ident, "--wave", "2147483647"), 1, "no wave 2147483647 in the plan of")
    assert list(data_dir.iterdir()) == []  # the configured database was used; nothing was started


# ----------------------------------------------------------------------------- the table fits the terminal
def test_the_table_fits_a_narrow_terminal_and_cuts_long_cells(capsys: pytest.CaptureFixture[str]) -> None:
    asset = {"name": "web-01.corp.example.com", "asset_type": "load_balancer", "environment": "disaster_recovery",
             "operating_system": "Microsoft Windows Server 2019 Datacenter (64-bit)", "os_family": "windows",
             "applications": ["customer portal", "payments"], "cpu_cores": 16, "memory_gb": 64.0,
             "storage_gb": 1024.0, "six_r_strategy": "replatform", "strategy_source": "user", "wave_number": 12,
             "migration_status": "not_started"}
    headers = ["name", "type", "env", "os", "applications", "cpu", "mem", "disk", "strategy", "by", "wave", "status"]
    numbers = ["16", "64", "1024", "replatform", "user", "12"]
    _write_table([asset], 200)
    wide = capsys.readouterr().out.splitlines()
    assert wide[0].split() == headers and "…" not in wide[2]
    assert wide[2].split() == ["web-01.corp.example.com", "load_balancer", "dr", "Microsoft", "Windows", "Server",
                               "2019", "Datacenter", "(64-bit)", "customer", "portal,", "payments", *numbers,
                               "not_started"]
    _write_table([asset], 80)
    narrow = capsys.readouterr().out.splitlines()
    assert max(map(len, narrow)) <= 80, narrow
    assert narrow[2].split() == ["web-01.corp.…", "load_…", "dr", "Micro…", "custo…", *numbers, "not_st…"]
    _write_table([asset], 40)  # narrower than the columns that do not give way: every column is cut
    assert max(map(len, capsys.readouterr().out.splitlines())) <= 40


def test_fit_widths_cuts_the_columns_that_give_way_in_their_order() -> None:
    assert fit_widths([10, 5, 30], [(2, 4), (0, 4)], 100) == [10, 5, 30]
    assert fit_widths([10, 5, 30], [(2, 4), (0, 4)], 37) == [10, 5, 20]  # 2 gaps of 1
    assert fit_widths([10, 5, 30], [(2, 4), (0, 4)], 19) == [8, 5, 4]
    assert fit_widths([10, 5, 30], [(2, 4), (0, 4)], 8) == [2, 2, 2]  # then the widest, down to 1
