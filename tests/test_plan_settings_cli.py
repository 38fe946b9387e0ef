"""`plan settings show|set`, `plan preview` and `plan replan` against the real PostgreSQL, run as people do
(`starter.py` under their own login), on the hand-checked portfolio of tests/test_planning_phase (10 assets,
8 of them migrating; SETTINGS: at most 3 assets a wave, a pilot of 2, waves of 14 days overlapping by 2)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.planning import PlanningActivities
from activities.transitions import TransitionActivities
from db.plan_settings import NOT_YET_PLANNED
from db.pool import tenant_transaction
from domain.flow_contracts import StepInput, TransitionRequest
from domain.planning.model import PlanSettings
from tests.conftest import EngagementFixture, TestDatabase, give_login, make_engagement
from tests.flow_helpers import rows
from tests.test_plan_review import run_cli
from tests.test_planning_phase import START, insert_portfolio, phase_step

# test_planning_phase's settings; shared services planned like other groups, as that plan was hand-checked
SETTINGS = {"max_assets": 3, "pilot_size": 2, "early_waves_excluding_high": 1, "wave_length_days": 14,
            "overlap_days": 2, "shared_services": "with_dependents"}
# Everything a plan, its settings and their audit are made of: a preview leaves each as it was.
CHECKSUMS = {table: f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f"FROM migration.{table} t"
             for table in ("engagements", "migration_waves", "migration_wave_assets", "plan_violations", "assets",
                           "security_audit_logs", "planning_flows")}
SETTINGS_QUERY = "SELECT start_date, settings FROM migration.engagements"


class Planned:
    """An engagement planned by the planning activity, with logins for its owner and viewer; its commands talk to
    the suite's Temporal dev server (`replan` tells a running engagement), so none starts an embedded one that
    would outlive the test."""

    def __init__(self, engagement: EngagementFixture, step: StepInput, db: TestDatabase, data_dir: Path,
                 temporal_address: str, owner: dict[str, str], viewer: dict[str, str]) -> None:
        self.engagement, self.step, self.db, self.data_dir = engagement, step, db, data_dir
        self.temporal_address, self.owner, self.viewer = temporal_address, owner, viewer
        self.ident = str(engagement.ref.id)

    def run(self, login: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.db, self.data_dir, login | {"TEMPORAL_ADDRESS": self.temporal_address}, *argv)


@pytest.fixture
async def planned(app_pool: asyncpg.Pool, migrated_db: TestDatabase, dev_env, tmp_path: Path) -> Planned:
    engagement = await make_engagement(app_pool)
    await insert_portfolio(app_pool, engagement.ref, SETTINGS)
    step = await phase_step(app_pool, engagement.ref, "planning")
    await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, step)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Planned(engagement, step, migrated_db, data_dir, dev_env.client.service_client.config.target_host,
                   await give_login(migrated_db, engagement.owner_id), await give_login(migrated_db, engagement.viewer_id))


async def awaiting_planning_approval(pool: asyncpg.Pool, step: StepInput) -> None:
    """The master flow of `step` waits for the approval of planning, as recorded by the transition activity."""
    await ActivityEnvironment().run(TransitionActivities(pool).record_transition, TransitionRequest(
        tenant=step.tenant, master_flow_id=step.master_flow_id, flow_id=step.master_flow_id, seq=3,
        event="awaiting_approval", occurred_at=datetime(2026, 12, 9, 16, tzinfo=UTC), phase="planning",
        master_status="awaiting_approval"))


async def checksums(pool: asyncpg.Pool, ref: Any) -> dict[str, list[dict[str, Any]]]:
    return {table: await rows(pool, ref, query) for table, query in CHECKSUMS.items()}


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1 and result.stdout == "", (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    return result.stderr.removeprefix("error: ").rstrip("\n")


# ----------------------------------------------------------------------------------------------- show
async def test_show_lists_every_setting_its_value_source_and_meaning(planned) -> None:
    result = planned.run(planned.viewer, "settings", "show", planned.ident, "--json")
    assert result.returncode == 0, result.stderr
    shown = {s["name"]: s for s in json.loads(result.stdout)}
    assert list(shown) == list(PlanSettings.model_fields)
    assert shown["start_date"] == {**shown["start_date"], "value": START.isoformat(), "source": "engagement"}
    for name, value in SETTINGS.items():
        assert (shown[name]["value"], shown[name]["source"]) == (value, "engagement")
    assert (shown["max_storage_tb"]["value"], shown["max_storage_tb"]["source"]) == (None, "default")
    assert shown["max_assets"]["allowed"] == "whole number ≥ 1"
    assert all(s["description"] for s in shown.values())

    text = planned.run(planned.viewer, "settings", "show", planned.ident)
    assert text.returncode == 0, text.stderr
    for name in PlanSettings.model_fields:
        assert any(line.split("│")[1].strip() == name for line in text.stdout.splitlines() if "│" in line), name


# ----------------------------------------------------------------------------------------------- set
async def test_set_changes_settings_as_a_whole_audited_and_says_the_plan_waits(app_pool, planned) -> None:
    ref = planned.engagement.ref
    result = planned.run(planned.owner, "settings", "set", planned.ident, "max_assets=4", "start_date=2027-02-01",
                         "blackout_periods=2027-04-01..2027-04-05, 2027-05-01", "max_storage_tb=2.5", "pilot_size=")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{ref.name}: max_assets = 4, start_date = 2027-02-01, blackout_periods = 2027-04-01..2027-04-05, "
        "2027-05-01, max_storage_tb = 2.5, pilot_size reset to its default (10)", NOT_YET_PLANNED]
    (row,) = await rows(app_pool, ref, SETTINGS_QUERY)
    assert row["start_date"] == date(2027, 2, 1)
    expected = {**SETTINGS, "max_assets": 4, "blackout_periods": ["2027-04-01..2027-04-05", "2027-05-01"],
                "max_storage_tb": 2.5}
    del expected["pilot_size"]  # reset: the default applies
    assert {k: v for k, v in row["settings"].items() if k in PlanSettings.model_fields} == expected
    audit = await rows(app_pool, ref, "SELECT actor_user_id FROM migration.security_audit_logs "
                                      "WHERE table_name = 'engagements' AND actor_user_id IS NOT NULL")
    assert [a["actor_user_id"] for a in audit] == [planned.engagement.owner_id]  # the person, as the database knows

    shown = {s["name"]: s for s in json.loads(planned.run(planned.viewer, "settings", "show", planned.ident,
                                                           "--json").stdout)}
    assert (shown["pilot_size"]["value"], shown["pilot_size"]["source"]) == (10, "default")
    assert shown["blackout_periods"]["source"] == "engagement"

    result = planned.run(planned.owner, "settings", "set", planned.ident, "start_date=", "--json")
    assert json.loads(result.stdout) == {"changed": {"start_date": None}, "plan_written": True}
    assert (await rows(app_pool, ref, SETTINGS_QUERY))[0]["start_date"] is None


@pytest.mark.parametrize(("assignment", "message"), [
    ("colour=blue", "unknown setting 'colour'; settings: start_date, max_assets, "),
    ("max_assets=many", "max_assets: 'many' is not a whole number; allowed: whole number ≥ 1"),
    ("max_assets=-3", "the engagement setting max_assets: Input should be greater than or equal to 1, not -3"),
    ("max_storage_tb=-1", "the engagement setting max_storage_tb: Input should be greater than 0, not -1.0"),
    ("overlap_days=14", "overlap_days (14) must be shorter than wave_length_days (14)"),
    ("start_date=2027-02-30", "start_date: '2027-02-30' is not a date; allowed: date (YYYY-MM-DD)"),
    ("blackout_periods=2027-05-09..2027-05-01", "a blackout ends on or after it starts, not 2027-05-09..2027-05-01"),
    ("shared_services=last", "shared_services: 'last' is not allowed; allowed: one of foundation, with_dependents"),
    ("max_assets", "'max_assets': give settings as key=value (key= resets it to its default)"),
])
async def test_a_bad_setting_is_one_line_naming_it_and_changes_nothing(app_pool, planned, assignment,
                                                                      message) -> None:
    before = await rows(app_pool, planned.engagement.ref, SETTINGS_QUERY)
    error = one_line_error(planned.run(planned.owner, "settings", "set", planned.ident, "pilot_size=1", assignment))
    assert message in error, error
    assert await rows(app_pool, planned.engagement.ref, SETTINGS_QUERY) == before


async def test_only_reviewing_roles_set_and_never_once_execution_began(app_pool, planned) -> None:
    ref = planned.engagement.ref
    before = await rows(app_pool, ref, SETTINGS_QUERY)
    assert one_line_error(planned.run(planned.viewer, "settings", "set", planned.ident, "max_assets=5")) == (
        f"you may not change the planning settings of {ref.name!r} (role: viewer; allowed: owner, approver, "
        "contributor)")
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.migration_waves SET status = 'in_progress' WHERE wave_number = 1")
    assert one_line_error(planned.run(planned.owner, "settings", "set", planned.ident, "max_assets=5")) == (
        f"the execution of {ref.name!r} has begun (1 wave started): its plan and planning settings can no "
        "longer be changed")
    assert await rows(app_pool, ref, SETTINGS_QUERY) == before


# -------------------------------------------------------------------------------------------- preview
async def test_preview_writes_nothing_and_shows_the_changed_plan_beside_the_current(app_pool, planned) -> None:
    ref = planned.engagement.ref
    before = await checksums(app_pool, ref)
    result = planned.run(planned.viewer, "preview", planned.ident, "--set", "max_assets=2", "--set", "pilot_size=0",
                         "--json")
    assert result.returncode == 0, result.stderr
    preview = json.loads(result.stdout)
    assert preview["settings_changed"] == {"max_assets": 2, "pilot_size": 0}
    current, proposed = preview["current"], preview["proposed"]
    assert (current["largest_wave"], proposed["largest_wave"]) == (3, 2)
    assert "pilot" in current["waves_by_kind"] and "pilot" not in proposed["waves_by_kind"]
    assert proposed["waves"] > current["waves"] and proposed["last_end"] > current["last_end"]
    assert current["first_start"] == proposed["first_start"] == START.isoformat()
    assert proposed["effort_days"] == pytest.approx(current["effort_days"])  # the same assets, other waves
    assert preview["moved"] and all(m["wave_before"] != m["wave_after"] for m in preview["moved"])

    text = planned.run(planned.viewer, "preview", planned.ident, "--set", "max_assets=2")
    assert text.returncode == 0, text.stderr
    header = next(line for line in text.stdout.splitlines() if "current plan" in line)
    assert "preview" in header
    for measure in ("waves", "first start", "last end", "effort (person-days)", "labour cost", "largest wave",
                    "violations", "assets whose wave changes"):
        assert measure in text.stdout, measure
    assert await checksums(app_pool, ref) == before


async def test_preview_without_changes_is_the_written_plan(app_pool, planned) -> None:
    preview = json.loads(planned.run(planned.viewer, "preview", planned.ident, "--json").stdout)
    assert preview["moved"] == [] and preview["current"] == preview["proposed"]


@pytest.mark.parametrize(("assignment", "message"), [
    ("wave_length_days=2", "overlap_days (2) must be shorter than wave_length_days (2)"),
    ("pilot_size=some", "pilot_size: 'some' is not a whole number; allowed: whole number ≥ 0"),
    ("nope=1", "unknown setting 'nope'"),
])
async def test_a_bad_preview_setting_is_one_line(app_pool, planned, assignment, message) -> None:
    assert message in one_line_error(planned.run(planned.viewer, "preview", planned.ident, "--set", assignment))


# --------------------------------------------------------------------------------------------- replan
async def test_replan_rewrites_the_plan_only_while_planning_awaits_approval(app_pool, planned) -> None:
    ref = planned.engagement.ref
    assert planned.run(planned.owner, "settings", "set", planned.ident, "max_assets=2").returncode == 0
    assert one_line_error(planned.run(planned.owner, "replan", planned.ident)) == (
        f"{ref.name!r} can be re-planned only while its planning phase awaits approval; its flow is running")
    await awaiting_planning_approval(app_pool, planned.step)
    assert one_line_error(planned.run(planned.viewer, "replan", planned.ident)).startswith(
        f"you may not re-plan the waves of {ref.name!r} (role: viewer;")
    result = planned.run(planned.owner, "replan", planned.ident, "--json")
    assert result.returncode == 0, result.stderr
    replanned = json.loads(result.stdout)
    assert (replanned["current"]["largest_wave"], replanned["proposed"]["largest_wave"]) == (3, 2)
    waves = await rows(app_pool, ref, "SELECT wave_number, asset_count, planning_flow_id FROM migration.migration_waves")
    assert len(waves) == replanned["proposed"]["waves"] and max(w["asset_count"] for w in waves) == 2
    assert {w["planning_flow_id"] for w in waves} == {planned.step.phase_flow_id}
    # the plan as written is the plan a preview without changes finds
    again = json.loads(planned.run(planned.viewer, "preview", planned.ident, "--json").stdout)
    assert again["moved"] == [] and again["current"] == replanned["proposed"]
