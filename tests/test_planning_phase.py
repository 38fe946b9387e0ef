"""The planning steps against the real PostgreSQL, run in Temporal's ActivityEnvironment, on a small
hand-checked portfolio; then execution reads the waves they wrote.

Settings: start 2027-01-04 (a Monday), at most 3 assets a wave, a pilot of up to 2 assets, high
criticality kept out of wave 1, waves of 14 days overlapping by 2 (a wave starts every 12 days).
Asset ids are fixed so that the planner's tie-breaks (lowest member id) are known.

- dev-web + dev-db (development, low criticality, risk 10, complexity 20, hard dependency): one move
  group that qualifies for the pilot and fits its 2 assets -> wave 1, pilot (its dependency on the
  foundation is met).
- test-app (test, medium): non-production but not pilot-ready -> wave 2, non-production.
- web-01 + db-01 (application shop; db-01 critical) and rpt-01: rpt-01 -> db-01 and web-01 -> rpt-01 are
  soft dependencies in both directions between the groups: an ordering cycle, one unit of 3 assets.
  dns-01 is tagged a shared service (everyone depends on it: no glue): it is the foundation, wave 0,
  and the pilot starts a stride after it. mystery-01 has no strategy (3 person-days, the middle
  estimate). Production holds 4 assets, so 2 waves of 2: the cycle unit (largest first) fills wave 3
  to 3 assets; mystery-01 makes wave 4.
- old-01 (retire) and keep-01 (retain) get no wave; web-01 runs_on keep-01: a tie to an asset that stays.

Effort (domain.assessment.effort): rehost 1.5, replatform 4, refactor 15, undecided 3; cost at 950 a day.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.execution import ExecutionActivities
from activities.planning import PlanningActivities
from activities.transitions import TransitionActivities
from db.pool import tenant_transaction
from domain.flow_contracts import StepInput, StepResult, Tenant, TransitionRequest, WaveInput
from tests.conftest import EngagementFixture, make_engagement

START = date(2027, 1, 4)
SETTINGS = {"max_assets": 3, "pilot_size": 2, "early_waves_excluding_high": 1, "wave_length_days": 14,
            "overlap_days": 2}
LOW_RISK = {"business_criticality": "low", "risk_score": 10, "complexity_score": 20}
PORTFOLIO: list[dict[str, Any]] = [
    {"name": "dev-web", "environment": "development", "six_r_strategy": "rehost", "storage_gb": 100, **LOW_RISK},
    {"name": "dev-db", "environment": "development", "six_r_strategy": "rehost", "storage_gb": 300, **LOW_RISK},
    {"name": "test-app", "environment": "test", "business_criticality": "medium", "six_r_strategy": "rehost",
     "storage_gb": 50},
    {"name": "web-01", "application_name": "shop", "environment": "production", "business_criticality": "medium",
     "six_r_strategy": "rehost", "storage_gb": 200},
    {"name": "db-01", "application_name": "shop", "environment": "production", "business_criticality": "critical",
     "six_r_strategy": "replatform", "storage_gb": 1024},
    {"name": "rpt-01", "environment": "production", "business_criticality": "medium", "six_r_strategy": "refactor",
     "storage_gb": 50},
    {"name": "dns-01", "environment": "production", "business_criticality": "high", "six_r_strategy": "rehost",
     "storage_gb": 20, "tags": {"shared_service": None}},
    {"name": "old-01", "environment": "production", "six_r_strategy": "retire"},
    {"name": "keep-01", "environment": "production", "six_r_strategy": "retain"},
    {"name": "mystery-01", "environment": "production", "business_criticality": "low"},
]
DEPENDENCIES = [  # source, target, type, strength
    ("dev-web", "dev-db", "depends_on", "hard"),
    ("rpt-01", "db-01", "depends_on", "soft"),
    ("web-01", "rpt-01", "depends_on", "soft"),
    ("web-01", "keep-01", "runs_on", "soft"),
    *((source, "dns-01", "depends_on", "soft") for source in ("web-01", "rpt-01", "test-app", "mystery-01")),
]
EXPECTED_WAVES = [  # number, kind, start, end, assets, storage GB, effort, cost, undecided
    (0, "foundation", date(2027, 1, 4), date(2027, 1, 17), 1, 20.0, 1.5, 1425.0, 0),
    (1, "pilot", date(2027, 1, 16), date(2027, 1, 29), 2, 400.0, 3.0, 2850.0, 0),  # 1.5 + 1.5
    (2, "non_production", date(2027, 1, 28), date(2027, 2, 10), 1, 50.0, 1.5, 1425.0, 0),
    (3, "production", date(2027, 2, 9), date(2027, 2, 22), 3, 1274.0, 20.5, 19475.0, 0),  # 1.5 + 4 + 15
    (4, "production", date(2027, 2, 21), date(2027, 3, 6), 1, 0.0, 3.0, 2850.0, 1),
]
EXPECTED_WAVE_OF = {"dev-web": 1, "dev-db": 1, "test-app": 2, "web-01": 3, "db-01": 3, "rpt-01": 3, "dns-01": 0,
                    "mystery-01": 4, "old-01": None, "keep-01": None}


async def insert_portfolio(pool: asyncpg.Pool, ref: Any, settings: dict[str, Any]) -> dict[str, uuid.UUID]:
    """The engagement's start date and settings, PORTFOLIO (ids in list order: one random prefix, then the
    position) and DEPENDENCIES, written with plain SQL in the tenant context."""
    prefix = uuid.uuid4().int & ~0xFFFF
    ids = {asset["name"]: uuid.UUID(int=prefix | n) for n, asset in enumerate(PORTFOLIO, start=1)}
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("UPDATE migration.engagements SET start_date = $2, settings = settings || $3 WHERE id = $1",
                           ref.id, START, settings)
        for asset in PORTFOLIO:
            columns = ["id", "client_account_id", "engagement_id", *asset]
            placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
            await conn.execute(f"INSERT INTO migration.assets ({', '.join(columns)}) VALUES ({placeholders})",
                               ids[asset["name"]], ref.client_account_id, ref.id, *asset.values())
        for source, target, kind, strength in DEPENDENCIES:
            await conn.execute(
                "INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, source_asset_id,"
                " target_asset_id, dependency_type, strength) VALUES ($1, $2, $3, $4, $5, $6)",
                ref.client_account_id, ref.id, ids[source], ids[target], kind, strength,
            )
    return ids


async def phase_step(pool: asyncpg.Pool, ref: Any, phase: str, master: uuid.UUID | None = None) -> StepInput:
    """A phase flow (and its master flow, unless given), recorded by the real transition activity."""
    tenant = Tenant(client_account_id=ref.client_account_id, engagement_id=ref.id)
    flow, now, seq = uuid.uuid4(), datetime(2026, 12, 9, 15, tzinfo=UTC), 2
    record, env = TransitionActivities(pool).record_transition, ActivityEnvironment()
    if master is None:
        master, seq = uuid.uuid4(), 1
        await env.run(record, TransitionRequest(tenant=tenant, master_flow_id=master, flow_id=master, seq=seq,
                                                event="flow_started", occurred_at=now, master_status="running",
                                                workflow_id=f"test-{master}", run_id="test"))
    await env.run(record, TransitionRequest(tenant=tenant, master_flow_id=master, flow_id=master, seq=seq + 1,
                                            event="phase_started", occurred_at=now, phase=phase,
                                            phase_flow_id=flow, master_status="running"))
    return StepInput(tenant=tenant, master_flow_id=master, phase_flow_id=flow)


async def run_planning(pool: asyncpg.Pool, step: StepInput) -> dict[str, StepResult]:
    activities, env = PlanningActivities(pool), ActivityEnvironment()
    return {
        "move_groups": await env.run(activities.build_move_groups, step),
        "wave_planning": await env.run(activities.plan_waves, step),
        "timeline": await env.run(activities.schedule_waves, step),
        "cost_estimate": await env.run(activities.estimate_costs, step),
    }


async def rows(pool: asyncpg.Pool, ref: Any, query: str, *args: Any) -> list[dict[str, Any]]:
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [dict(r) for r in await conn.fetch(query, *args)]


WAVES_QUERY = ("SELECT wave_number, kind, planned_start, planned_end, asset_count, total_storage_gb::float8,"
               " estimated_effort_days::float8, estimated_cost::float8, undecided_assets"
               " FROM migration.migration_waves ORDER BY wave_number")
ASSETS_QUERY = ("SELECT a.name, a.wave_number, a.move_group, a.wave_reason, a.migration_status, a.planning_flow_id,"
                " w.wave_number AS member_of FROM migration.assets a"
                " LEFT JOIN migration.migration_wave_assets m ON m.asset_id = a.id"
                " LEFT JOIN migration.migration_waves w ON w.id = m.wave_id ORDER BY a.name")
EARLIER_WAVES_QUERY = """
SELECT w.wave_number,
       coalesce((SELECT array_agg(DISTINCT t.wave_number ORDER BY t.wave_number)
                   FROM migration.assets s
                   JOIN migration.asset_dependencies d ON d.source_asset_id = s.id
                   JOIN migration.assets t ON t.id = d.target_asset_id
                  WHERE s.wave_number = w.wave_number AND t.wave_number < w.wave_number), '{}') AS depends_on
  FROM migration.migration_waves w ORDER BY w.wave_number
"""
VIOLATIONS_QUERY = "SELECT rule, detail, move_groups, asset_ids FROM migration.plan_violations ORDER BY rule, detail"


@pytest.fixture
async def planned(app_pool: asyncpg.Pool) -> tuple[EngagementFixture, StepInput, dict[str, uuid.UUID]]:
    engagement = await make_engagement(app_pool)
    ids = await insert_portfolio(app_pool, engagement.ref, SETTINGS)
    return engagement, await phase_step(app_pool, engagement.ref, "planning"), ids


async def test_the_planning_steps_write_the_hand_checked_plan(app_pool, planned) -> None:
    engagement, step, ids = planned
    results = await run_planning(app_pool, step)
    ref = engagement.ref

    waves = await rows(app_pool, ref, WAVES_QUERY)
    assert [tuple(w.values()) for w in waves] == EXPECTED_WAVES
    assets = {a["name"]: a for a in await rows(app_pool, ref, ASSETS_QUERY)}
    assert {name: a["wave_number"] for name, a in assets.items()} == EXPECTED_WAVE_OF
    assert {name: a["member_of"] for name, a in assets.items()} == EXPECTED_WAVE_OF
    groups = {name: a["move_group"] for name, a in assets.items()}
    assert groups["dev-web"] == groups["dev-db"] and groups["web-01"] == groups["db-01"]
    assert groups["dns-01"].startswith("SHARED-") and groups["old-01"] is None and groups["keep-01"] is None
    assert len(set(groups.values()) - {None}) == 6
    assert {a["migration_status"] for n, a in assets.items() if EXPECTED_WAVE_OF[n]} == {"planned"}
    assert {a["planning_flow_id"] for n, a in assets.items() if EXPECTED_WAVE_OF[n]} == {step.phase_flow_id}
    assert assets["dev-db"]["wave_reason"] == (f"pilot wave 1 with move group {groups['dev-db']} (dev-web and 1 more, "
                                               "development); low criticality, risk at most 30, dependencies in the "
                                               "pilot too")
    assert "in an ordering cycle" in assets["rpt-01"]["wave_reason"]
    assert "a shared service: moves first, before its dependents" in assets["dns-01"]["wave_reason"]
    assert assets["old-01"]["wave_reason"] == "strategy retire: decommissioned, not migrated"
    assert assets["keep-01"]["wave_reason"] == "strategy retain: stays where it is, not migrated"

    violations = await rows(app_pool, ref, VIOLATIONS_QUERY)
    assert [(v["rule"], v["move_groups"], sorted(v["asset_ids"])) for v in violations] == [
        ("left_behind", [groups["web-01"]], sorted([ids["web-01"], ids["keep-01"]])),
        ("ordering_cycle", sorted([groups["web-01"], groups["rpt-01"]]),
         sorted([ids["web-01"], ids["db-01"], ids["rpt-01"]])),
    ]
    report = (await rows(app_pool, ref, "SELECT constraints_report FROM migration.migration_waves"
                                        " WHERE wave_number = 0"))[0]["constraints_report"]
    assert report["shared_services"] == [{"asset_id": str(ids["dns-01"]), "fan_in": 4,
                                          "reason": "tagged as a shared service"}]

    assert results["move_groups"].summary == {
        "move_groups": 6, "largest_group": 2, "single_asset_groups": 4, "assets_moving": 8,
        "assets_not_migrated": 2, "shared_services": 1, "ties_to_assets_that_stay": 1}
    assert results["wave_planning"].summary == {
        "waves": 5, "waves_by_kind": {"foundation": 1, "pilot": 1, "non_production": 1, "production": 2},
        "pilot_assets": 2,
        "move_groups": 6, "assets_planned": 8, "assets_not_migrated": 2, "largest_wave": 3,
        "violations_by_rule": {"left_behind": 1}, "ordering_cycles": 1, "max_assets_per_wave": 3}
    assert results["timeline"].summary == {
        "start": "2027-01-04", "end": "2027-03-06", "days": 62, "waves": 5, "foundation_waves": 1, "pilot_waves": 1,
        "non_production_waves": 1, "production_waves": 2, "wave_length_days": 14, "overlap_days": 2}
    assert results["cost_estimate"].summary == {
        "effort_person_days": 29.5, "labour_cost": 28025.0, "day_rate": 950.0, "storage_tb": 1.703,  # 1744 GB
        "assets_without_strategy": 1}


async def test_a_rerun_writes_the_same_plan_and_execution_reads_it(app_pool, planned) -> None:
    engagement, step, ids = planned
    ref = engagement.ref
    await run_planning(app_pool, step)
    first = (await rows(app_pool, ref, WAVES_QUERY), await rows(app_pool, ref, ASSETS_QUERY),
             await rows(app_pool, ref, VIOLATIONS_QUERY))
    await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, step)
    again = (await rows(app_pool, ref, WAVES_QUERY), await rows(app_pool, ref, ASSETS_QUERY),
             await rows(app_pool, ref, VIOLATIONS_QUERY))
    assert again == first
    assert len(await rows(app_pool, ref, "SELECT 1 FROM migration.migration_wave_assets")) == 8

    execution = await phase_step(app_pool, ref, "execution", step.master_flow_id)
    env, activities = ActivityEnvironment(), ExecutionActivities(app_pool)
    prepared = (await env.run(activities.prepare_runbooks, execution)).summary
    assert {key: prepared[key] for key in ("waves", "assets", "waves_already_completed")} == {
        "waves": 5, "assets": 8, "waves_already_completed": 0}
    assert prepared["runbooks"] and all(  # each planned strategy's runbook, here the bundled ones
        used.endswith("v1 (bundled default)") for used in prepared["runbooks"].values())
    assert (await env.run(activities.list_waves, execution)).summary == {"wave_numbers": [0, 1, 2, 3, 4]}
    schedule = await env.run(activities.plan_schedule, execution)
    oracle = await rows(app_pool, ref, EARLIER_WAVES_QUERY)  # per wave, the earlier waves its assets depend on
    assert [(w.number, list(w.depends_on)) for w in schedule.waves] == [
        (r["wave_number"], r["depends_on"]) for r in oracle]
    assert any(w.depends_on for w in schedule.waves)
    result = await env.run(activities.execute_wave, WaveInput(step=execution, wave_number=3))
    assert result.assets_migrated == 3
    migrated = await rows(app_pool, ref, "SELECT name FROM migration.assets WHERE migration_status = 'migrated'"
                                         " ORDER BY name")
    assert [r["name"] for r in migrated] == ["db-01", "rpt-01", "web-01"]


async def test_an_asset_that_leaves_the_plan_loses_its_wave(app_pool, planned) -> None:
    engagement, step, ids = planned
    await run_planning(app_pool, step)
    async with tenant_transaction(app_pool, engagement.ref.client_account_id, engagement.ref.id) as conn:
        await conn.execute("UPDATE migration.assets SET six_r_strategy = 'retire' WHERE id = $1", ids["mystery-01"])
    await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, step)
    [mystery] = await rows(app_pool, engagement.ref, "SELECT wave_number, move_group, wave_reason, migration_status"
                                                     " FROM migration.assets WHERE id = $1", ids["mystery-01"])
    assert mystery == {"wave_number": None, "move_group": None, "migration_status": "assessed",
                       "wave_reason": "strategy retire: decommissioned, not migrated"}


@pytest.mark.parametrize(("settings", "message"), [
    ({"max_assets": 0}, "the engagement setting max_assets: Input should be greater than or equal to 1, not 0"),
    ({"wave_size": "ten"}, "the engagement setting max_assets: Input should be a valid integer, not 'ten'"),
    ({"pilot_max_risk": 150}, "the engagement setting pilot_max_risk: Input should be less than or equal to 100"),
    ({"overlap_days": 14}, "overlap_days (14) must be shorter than wave_length_days (14)"),
])
async def test_bad_settings_are_final_bad_input_and_change_nothing(app_pool, settings, message) -> None:
    engagement = await make_engagement(app_pool)
    await insert_portfolio(app_pool, engagement.ref, settings)
    step = await phase_step(app_pool, engagement.ref, "planning")
    for activity in (PlanningActivities(app_pool).build_move_groups, PlanningActivities(app_pool).plan_waves):
        with pytest.raises(ApplicationError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
            await ActivityEnvironment().run(activity, step)
        assert err.value.non_retryable and err.value.type == "BadInput"
    assert await rows(app_pool, engagement.ref, WAVES_QUERY) == []


async def test_no_plan_without_migrating_assets(app_pool) -> None:
    engagement = await make_engagement(app_pool)
    step = await phase_step(app_pool, engagement.ref, "planning")
    with pytest.raises(ApplicationError, match="the engagement has no assets: nothing to plan"):
        await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, step)
    with pytest.raises(ApplicationError, match="no wave plan: the wave_planning step writes it"):
        await ActivityEnvironment().run(PlanningActivities(app_pool).schedule_waves, step)


async def test_without_a_start_date_the_plan_starts_the_monday_after_the_planning_flow(app_pool) -> None:
    engagement = await make_engagement(app_pool)
    await insert_portfolio(app_pool, engagement.ref, SETTINGS)
    async with tenant_transaction(app_pool, engagement.ref.client_account_id, engagement.ref.id) as conn:
        await conn.execute("UPDATE migration.engagements SET start_date = NULL WHERE id = $1", engagement.ref.id)
    step = await phase_step(app_pool, engagement.ref, "planning")  # started Wednesday 2026-12-09
    await ActivityEnvironment().run(PlanningActivities(app_pool).plan_waves, step)
    waves = await rows(app_pool, engagement.ref, WAVES_QUERY)
    assert waves[0]["planned_start"] == date(2026, 12, 14)
