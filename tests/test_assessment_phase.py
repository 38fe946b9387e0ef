"""The assessment steps against the real PostgreSQL, run in Temporal's ActivityEnvironment, on a small
hand-checked portfolio of ten assets in two applications, with business goals.

Expected values are worked out by hand from the rule tables of domain.assessment.strategy_rules, domain.assessment.risk and
domain.assessment.cost_model and the bundled price table (aws us-east-1, 2026-10-01); the comments show the sums.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.assessment import AssessmentActivities, load_price_table
from activities.transitions import TransitionActivities
from db.business_case import set_assumptions
from db.migrator import SCHEMA_DIR, migrate
from db.pool import create_pool, tenant_transaction
from db.queries import sql
from db.strategy_overrides import override_strategy
from db.tenancy import EngagementRef
from domain.flow_contracts import StepInput, StepResult, Tenant, TransitionRequest
from runtime.settings import get_settings
from tests.conftest import EngagementFixture, insert_raw_tenant, make_engagement

COST_GOALS = {"cost_reduction": 5}

VMWARE = {"is_virtual": True, "hypervisor": "VMware ESXi 7.0", "power_state": "poweredOn"}
PORTFOLIO: list[dict[str, Any]] = [
    # billing -----------------------------------------------------------------------------------
    {"name": "bill-web-01", "asset_type": "server", "operating_system": "Red Hat Enterprise Linux", "os_version": "8",
     "os_family": "linux", "environment": "production", "business_criticality": "high", "cpu_utilization_avg": 35,
     "cpu_utilization_peak": 70, "memory_utilization_peak": 60, "cpu_cores": 4, "memory_gb": 16, "storage_gb": 200,
     "storage_used_gb": 100, "current_monthly_cost": 400, "application_name": "billing", **VMWARE},
    {"name": "bill-db-01", "asset_type": "database", "database_engine": "PostgreSQL 13",
     "operating_system": "Red Hat Enterprise Linux", "os_version": "8", "os_family": "linux",
     "environment": "production", "business_criticality": "critical", "data_classification": "Highly Confidential",
     "cpu_utilization_avg": 20, "cpu_utilization_peak": 50, "memory_utilization_peak": 70, "cpu_cores": 8,
     "memory_gb": 32, "storage_gb": 500, "application_name": "billing", **VMWARE},
    {"name": "bill-batch-01", "asset_type": "server", "operating_system": "Windows Server 2012 R2",
     "os_family": "windows", "environment": "production", "business_criticality": "medium",
     "cpu_utilization_avg": 10, "cpu_utilization_peak": 40, "cpu_cores": 2, "memory_gb": 8, "storage_gb": 100,
     "current_monthly_cost": 250, "application_name": "billing", **VMWARE},
    # reports -----------------------------------------------------------------------------------
    {"name": "rpt-app-01", "asset_type": "server", "operating_system": "Ubuntu", "os_version": "22.04",
     "os_family": "linux", "environment": "staging", "business_criticality": "low", "cpu_utilization_avg": 1,
     "cpu_utilization_peak": 3, "network_throughput_mbps": 0.5, "cpu_cores": 2, "memory_gb": 4, "storage_gb": 50,
     "application_name": "reports", **VMWARE},
    {"name": "rpt-db-01", "asset_type": "database", "database_engine": "Sybase ASE 16",
     "operating_system": "Red Hat Enterprise Linux", "os_version": "7", "os_family": "linux",
     "environment": "production", "business_criticality": "medium", "cpu_utilization_avg": 12,
     "cpu_utilization_peak": 30, "memory_utilization_peak": 50, "cpu_cores": 4, "memory_gb": 16, "storage_gb": 300,
     "current_monthly_cost": 300, "application_name": "reports", **VMWARE},
    {"name": "rpt-old-01", "asset_type": "server", "operating_system": "Windows Server 2016", "os_family": "windows",
     "environment": "development", "business_criticality": "low", "power_state": "poweredOff", "cpu_cores": 2,
     "memory_gb": 8, "storage_gb": 100, "application_name": "reports", "is_virtual": True},
    # no application ----------------------------------------------------------------------------
    {"name": "lb-01", "asset_type": "load_balancer", "environment": "production", "business_criticality": "high"},
    {"name": "aix-01", "asset_type": "server", "operating_system": "AIX", "os_version": "7.2", "os_family": "unix",
     "environment": "production", "business_criticality": "high", "cpu_utilization_avg": 40,
     "cpu_utilization_peak": 80, "power_state": "poweredOn", "cpu_cores": 8, "memory_gb": 32, "storage_gb": 200,
     "is_virtual": False},
    {"name": "mystery-01", "asset_type": "server"},
    {"name": "phys-01", "asset_type": "server", "operating_system": "Red Hat Enterprise Linux", "os_version": "9",
     "os_family": "linux", "environment": "production", "business_criticality": "low", "cpu_utilization_avg": 30,
     "cpu_utilization_peak": 60, "power_state": "poweredOn", "cpu_cores": 4, "memory_gb": 8, "storage_gb": 100,
     "current_monthly_cost": 180, "is_virtual": False},
]
DEPENDENCIES = [("bill-web-01", "bill-db-01")]


async def insert_assets(pool: asyncpg.Pool, ref: Any, assets: list[dict[str, Any]],
                        dependencies: list[tuple[str, str]] = ()) -> dict[str, uuid.UUID]:
    """The assets (and source -> target dependencies by name) written with plain SQL in the tenant context."""
    ids: dict[str, uuid.UUID] = {}
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        for asset in assets:
            columns = ["client_account_id", "engagement_id", *asset]
            placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
            ids[asset["name"]] = await conn.fetchval(
                f"INSERT INTO migration.assets ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id",
                ref.client_account_id, ref.id, *asset.values(),
            )
        for source, target in dependencies:
            await conn.execute(
                "INSERT INTO migration.asset_dependencies (client_account_id, engagement_id, source_asset_id,"
                " target_asset_id) VALUES ($1, $2, $3, $4)", ref.client_account_id, ref.id, ids[source], ids[target],
            )
    return ids


async def assessment_step(pool: asyncpg.Pool, ref: Any) -> StepInput:
    """A master flow and its assessment flow, recorded by the real transition activity."""
    tenant = Tenant(client_account_id=ref.client_account_id, engagement_id=ref.id)
    master, phase = uuid.uuid4(), uuid.uuid4()
    record, now = TransitionActivities(pool).record_transition, datetime.now(UTC)
    env = ActivityEnvironment()
    await env.run(record, TransitionRequest(tenant=tenant, master_flow_id=master, flow_id=master, seq=1,
                                            event="flow_started", occurred_at=now, master_status="running",
                                            workflow_id=f"test-{master}", run_id="test"))
    await env.run(record, TransitionRequest(tenant=tenant, master_flow_id=master, flow_id=master, seq=2,
                                            event="phase_started", occurred_at=now, phase="assessment",
                                            phase_flow_id=phase, master_status="running"))
    return StepInput(tenant=tenant, master_flow_id=master, phase_flow_id=phase)


async def run_assessment(activities: AssessmentActivities, step: StepInput) -> dict[str, StepResult]:
    env = ActivityEnvironment()
    return {
        "strategy_recommendation": await env.run(activities.recommend_strategies, step),
        "complexity_scoring": await env.run(activities.score_complexity, step),
        "risk_scoring": await env.run(activities.score_risk, step),
        "cost_projection": await env.run(activities.project_costs, step),
    }


async def fetch(pool: asyncpg.Pool, ref: Any, query: str, *args: Any) -> dict[str, dict[str, Any]]:
    """Rows keyed by their first column."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return {r[0]: dict(r) for r in await conn.fetch(query, *args)}


def assets_query(columns: str) -> str:
    return f"SELECT name, {columns} FROM migration.assets"


@pytest.fixture
async def portfolio(app_pool: asyncpg.Pool) -> tuple[EngagementFixture, StepInput]:
    engagement = await make_engagement(app_pool, business_goals=COST_GOALS)
    await insert_assets(app_pool, engagement.ref, PORTFOLIO, DEPENDENCIES)
    return engagement, await assessment_step(app_pool, engagement.ref)


async def test_strategies_follow_the_rules_and_the_cost_reduction_goal(app_pool, portfolio) -> None:
    engagement, step = portfolio
    results = await run_assessment(AssessmentActivities(app_pool, batch_size=3), step)
    rows = await fetch(app_pool, engagement.ref, assets_query(
        "six_r_strategy, strategy_source, strategy_confidence, strategy_rationale, target_platform, "
        "assessment_flow_id, migration_status"))
    # cost_reduction 5: goal adjustment = 0.15 x (5 - 3) / 2 x affinity -> rehost +0.075, retire +0.15,
    # retain -0.15, refactor -0.075, replatform/relocate/repurchase 0.
    expected = {
        "bill-web-01": ("rehost", 0.85),       # standard_server: rehost .85+.075, replatform .65, relocate .60
        "bill-db-01": ("replatform", 0.75),    # managed_database PostgreSQL: replatform .75, rehost .55+.075
        "bill-batch-01": ("replatform", 0.75),  # end_of_support_os 2012 R2: replatform .75, relocate .6, rehost .625
        "rpt-app-01": ("retire", 0.85),        # zombie (staging, low): retire .85+.15 -> 1.0, rehost .475
        "rpt-db-01": ("rehost", 0.65),         # SAP ASE has no managed service: rehost .65+.075, refactor .425
        "rpt-old-01": ("retire", 0.66),        # powered off, no CPU data: .75 x (0.5 + 0.5 x 6/8)
        "lb-01": ("repurchase", 0.48),         # appliance: repurchase .70 x (0.5 + 0.5 x 3/8), retain .35
        "aix-01": ("retain", 0.75),            # proprietary_platform: retain .75-.15, refactor .55-.075
        "mystery-01": ("rehost", 0.2),         # insufficient_evidence .35 x (0.5 + 0.5 x 1/8)
        "phys-01": ("rehost", 0.75),           # standard_server: rehost .85 - .10 physical (+.075 goal)
    }
    assert {n: (r["six_r_strategy"], r["strategy_confidence"]) for n, r in rows.items()} == expected
    assert {r["strategy_source"] for r in rows.values()} == {"rule"}
    assert {r["assessment_flow_id"] for r in rows.values()} == {step.phase_flow_id}
    assert {r["migration_status"] for r in rows.values()} == {"assessed"}

    web = rows["bill-web-01"]["strategy_rationale"]
    assert web["rule"] == "standard_server" and web["source"] == "rule"
    assert web["score"] == 0.925 and web["components"] == {"rule": 0.85, "goals": 0.075}
    assert [(c["strategy"], c["score"]) for c in web["runner_ups"]] == [("replatform", 0.65), ("relocate", 0.6)]
    assert web["goals"] == {"speed": 3, "cost_reduction": 5, "modernisation": 3, "managed_services": 3}
    assert web["reasons"][0].startswith("standard_server: Red Hat Enterprise Linux 8 is within vendor support")
    phys = rows["phys-01"]["strategy_rationale"]
    assert phys["components"] == {"rule": 0.85, "physical_server": -0.1, "goals": 0.075}
    assert rows["bill-db-01"]["target_platform"] == "managed PostgreSQL service"
    assert rows["mystery-01"]["strategy_rationale"]["rule"] == "insufficient_evidence"

    summary = results["strategy_recommendation"].summary
    assert summary["strategy_mix"] == {"rehost": 4, "replatform": 2, "retire": 2, "repurchase": 1, "retain": 1}
    assert summary["assessed"] == 10 and summary["decided_by_people"] == 0
    assert summary["low_confidence"] == 2  # lb-01 0.48, mystery-01 0.2
    assert summary["goals"] == "cost reduction 5"
    assert summary["applications"] == 2 and summary["application_strategy_mix"] == {"replatform": 1, "rehost": 1}


async def test_applications_vote_and_sum_their_costs(app_pool, portfolio) -> None:
    engagement, step = portfolio
    results = await run_assessment(AssessmentActivities(app_pool, batch_size=2), step)
    apps = await fetch(app_pool, engagement.ref, "SELECT application_name, * FROM migration.application_assessments")
    assert set(apps) == {"billing", "reports"}
    billing, reports = apps["billing"], apps["reports"]
    # billing: replatform 0.75 + 0.75 (db, batch) beats rehost 0.85 (web); confidence 1.5 / 3 voters
    assert (billing["six_r_strategy"], billing["strategy_confidence"], billing["asset_count"]) == ("replatform", 0.5, 3)
    assert billing["strategy_rationale"]["votes"] == {"rehost": 0.85, "replatform": 1.5}
    assert billing["strategy_source"] == "rule" and billing["assessment_flow_id"] == step.phase_flow_id
    # reports: both retire candidates step aside, rpt-db-01 alone votes rehost 0.65
    assert (reports["six_r_strategy"], reports["strategy_confidence"]) == ("rehost", 0.65)
    assert reports["strategy_rationale"]["asset_strategies"] == {
        "rpt-app-01": "retire", "rpt-db-01": "rehost", "rpt-old-01": "retire"}
    # Cloud side (bundled assumptions, pay-as-you-go): storage x 0.08, backup x 0.05, network 10% of compute
    # and storage, a VM's labour 95,360 x 1.42 / 76 / 12 = 148.48, RHEL half a subscription 799 / 2 / 12 = 33.29.
    # billing: web m6i.xlarge 140.16 + 10.40 + 6.50 + 15.06 + 33.29 + 148.48 = 353.89 (given 400);
    # db replatformed as a managed database: m6i.2xlarge 280.32 x 1.85 = 518.59 + 40 + 25 + 55.86 + 148.48
    # = 787.93 (modelled TCO 616.19: cost_model's components below); batch m6i.large 70.08 + 8 + 5 + 7.81
    # + Windows 2 x 33.58 + 148.48 = 306.53 (given 250)
    assert (float(billing["current_monthly_cost"]), float(billing["projected_monthly_cost"]),
            float(billing["monthly_savings"])) == (1266.19, 1448.35, -182.16)
    # reports: app retire 0 (modelled 286.97); db r6i.large 91.98 + 24 + 15 + 11.60 + 33.29 + 148.48 = 324.35
    # (given 300); old retire 0 (modelled 313.76)
    assert (float(reports["current_monthly_cost"]), float(reports["projected_monthly_cost"]),
            float(reports["monthly_savings"])) == (900.73, 324.35, 576.38)
    assert (billing["assets_without_current"], billing["assets_without_projection"]) == (0, 0)

    costs = await fetch(app_pool, engagement.ref, assets_query(
        "current_monthly_cost, modelled_monthly_cost, projected_monthly_cost, monthly_savings, target_instance_type,"
        " target_region, prices_as_of, scoring_details -> 'cost' AS cost"))
    web = costs["bill-web-01"]
    assert (web["target_instance_type"], web["target_region"], web["prices_as_of"]) == (
        "m6i.xlarge", "us-east-1", date(2026, 10, 1))
    assert (web["cost"]["needed_vcpu"], web["cost"]["needed_memory_gb"]) == (3.64, 12.48)  # 4x70%x1.3, 16x60%x1.3
    assert web["cost"]["current_source"] == "input" and web["modelled_monthly_cost"] is None
    db = costs["bill-db-01"]
    assert db["current_monthly_cost"] is None and float(db["modelled_monthly_cost"]) == 616.19
    # a VMware VM of 8 cores, 32 GB, 500 GB with RHEL and PostgreSQL (no database licence)
    assert db["cost"]["current_components"] == {
        "hardware": 48.78,  # (8 x 227.74 + 32 x 16.232) / 48
        "storage": 29.17,  # 500 x 2 = 1,000: / 48 + 1,000 x 10% / 12
        "backup": 48.33,  # 580 / 12
        "network": 9.75,  # 10% x (2,341.34 + 1,000) = 334.13: / 60 + 334.13 x 15% / 12
        "power": 20.89,  # 8 x 18 W = 0.144 kW x 1.56 x 730 h x 0.1274
        "facilities": 44.17,  # 0.144 kW / 60% x 184.06
        "os_licence": 33.29,  # 799 / 2 / 12
        "database_licence": 0.0,
        "virtualisation": 233.33,  # 8 x 350 / 12
        "labour": 148.48,
    }
    assert db["cost"]["pricing_term"] == "payg"
    assert "replatformed database priced as a managed database: the instance x 1.85" in db["cost"]["reasons"]
    assert costs["lb-01"]["projected_monthly_cost"] is None and costs["lb-01"]["target_instance_type"] is None
    assert "repurchase: the SaaS subscription price is not in the price table" in costs["lb-01"]["cost"]["reasons"]
    assert float(costs["aix-01"]["projected_monthly_cost"]) == 432.6  # retain: the modelled current cost

    summary = results["cost_projection"].summary
    assert (summary["current_monthly"], summary["projected_monthly"], summary["savings_monthly"]) == (
        2779.52, 2537.38, 242.14)
    assert (summary["assets_current_modelled"], summary["assets_without_current"],
            summary["assets_without_projection"]) == (4, 2, 2)  # lb-01 and mystery-01 have no sizes
    assert summary["prices"] == "aws us-east-1, prices as of 2026-10-01" and summary["comfort_factor"] == 1.3
    assert (summary["pricing_term"], summary["assumptions_overridden"]) == ("payg", [])
    assert [(a["application"], a["savings_monthly"]) for a in summary["top_application_savings"]] == [
        ("reports", 576.38), ("billing", -182.16)]

    # a second run changes nothing: modelled costs are never taken for given ones
    again = await run_assessment(AssessmentActivities(app_pool), step)
    assert again["cost_projection"].summary == summary


async def test_a_renamed_application_leaves_no_stale_roll_up(app_pool) -> None:
    engagement = await make_engagement(app_pool)
    ids = await insert_assets(app_pool, engagement.ref, PORTFOLIO[:2])
    step = await assessment_step(app_pool, engagement.ref)
    recommend = AssessmentActivities(app_pool).recommend_strategies
    await ActivityEnvironment().run(recommend, step)
    async with tenant_transaction(app_pool, engagement.ref.client_account_id, engagement.ref.id) as conn:
        await conn.execute("UPDATE migration.assets SET application_name = 'invoicing' WHERE id = ANY($1)",
                           list(ids.values()))
    result = await ActivityEnvironment().run(recommend, step)
    apps = await fetch(app_pool, engagement.ref,
                       "SELECT application_name, asset_count FROM migration.application_assessments")
    assert {name: row["asset_count"] for name, row in apps.items()} == {"invoicing": 2}
    assert result.summary["applications"] == 1


def _plan_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node] + [n for child in node.get("Plans", []) for n in _plan_nodes(child)]


async def test_the_stale_roll_up_prune_probes_an_index_whatever_join_the_planner_picks(app_pool, superuser_conn) -> None:
    """Right after the step's upserts the roll-ups have no statistics, so the planner expects about one of them
    (row-level security's default selectivity) and joins by a nested loop: at 100,000 assets that scanned the
    engagement's assets once per application (minutes). Held to that join, each application must cost one
    lookup of its own assets in the application paging index (schema 0033), not a scan of the engagement's."""
    engagement = await make_engagement(app_pool)
    ref = engagement.ref
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute(
            "INSERT INTO migration.assets (client_account_id, engagement_id, name, application_name)"
            " SELECT $1, $2, 'srv-' || i, 'app-' || (i % 200) FROM generate_series(1, 3000) i", ref.client_account_id,
            ref.id)
        await conn.execute(
            "INSERT INTO migration.application_assessments (client_account_id, engagement_id, application_name,"
            " asset_count, six_r_strategy, strategy_confidence, strategy_rationale)"
            " SELECT $1, $2, 'app-' || i, 15, 'rehost', 0.8, '{}' FROM generate_series(0, 209) i",
            ref.client_account_id, ref.id)
    await superuser_conn.execute("ANALYZE migration.assets")
    async with tenant_transaction(app_pool, ref.client_account_id, ref.id) as conn:
        await conn.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
        plan = await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql("application_assessments_prune"))
        assert await conn.execute(sql("application_assessments_prune")) == "DELETE 10"  # app-200 .. app-209
    [loop] = [n for n in _plan_nodes(plan[0]["Plan"]) if n["Node Type"] == "Nested Loop"]
    assert loop["Join Type"] == "Anti"
    inner = _plan_nodes(loop["Plans"][1])  # what runs once per application
    shape = [(n["Node Type"], n.get("Index Name"), n.get("Index Cond")) for n in inner]
    assert [s for s in shape if s[1] == "ix_assets_engagement_application_page" and "md5" in s[2]], shape
    assert "Seq Scan" not in [s[0] for s in shape], shape


async def test_an_imported_target_region_is_kept_and_the_priced_region_is_in_the_details(app_pool) -> None:
    engagement = await make_engagement(app_pool)
    chosen, priced = (dict(a) for a in PORTFOLIO[:2])
    chosen.update(target_region="eu-west-1", field_lineage={"target_region": {"source": "an intake's aws_region"}})
    await insert_assets(app_pool, engagement.ref, [chosen, priced])
    step = await assessment_step(app_pool, engagement.ref)
    await run_assessment(AssessmentActivities(app_pool), step)
    await run_assessment(AssessmentActivities(app_pool), step)  # a re-run keeps it too
    costs = await fetch(app_pool, engagement.ref, assets_query("target_region, scoring_details -> 'cost' AS cost"))
    assert costs[chosen["name"]]["target_region"] == "eu-west-1"
    assert costs[chosen["name"]]["cost"]["price_region"] == costs[priced["name"]]["target_region"] == "us-east-1"


async def test_each_batch_of_each_step_is_audited_as_one_rule_rewrite(app_pool, portfolio, superuser_conn) -> None:
    engagement, step = portfolio
    activities = AssessmentActivities(app_pool, batch_size=4)  # 10 assets: 3 batches a step
    for method in (activities.recommend_strategies, activities.score_complexity, activities.score_risk,
                   activities.project_costs):
        env = ActivityEnvironment()  # the step's name and workflow, as Temporal gives them to the activity
        env.info = dataclasses.replace(env.info, activity_type=method.__temporal_activity_definition.name,
                                       workflow_id="assessment-test", workflow_run_id="run-1")
        await env.run(method, step)
    events = await superuser_conn.fetch(
        "SELECT row_id, changes FROM migration.security_audit_logs"
        " WHERE engagement_id = $1 AND table_name = 'assets' AND operation = 'update' ORDER BY created_at",
        engagement.ref.id)
    rewrites = [e["changes"]["rule_rewrite"] for e in events]
    assert [r["step"] for r in rewrites] == [s for s in ("assessment.recommend_strategies",
                                                         "assessment.score_complexity", "assessment.score_risk",
                                                         "assessment.project_costs") for _ in range(3)]
    assert [r["rows"] for r in rewrites] == [4, 4, 2] * 4 and {e["row_id"] for e in events} == {None}
    assert {(r["workflow_id"], r["run_id"]) for r in rewrites} == {("assessment-test", "run-1")}
    ids = await fetch(app_pool, engagement.ref, "SELECT id, name FROM migration.assets")
    assert sorted(i for r in rewrites[:3] for i in r["ids"]) == sorted(str(i) for i in ids)


async def test_complexity_risk_and_readiness_keep_their_components(app_pool, portfolio) -> None:
    engagement, step = portfolio
    results = await run_assessment(AssessmentActivities(app_pool), step)
    rows = await fetch(app_pool, engagement.ref, assets_query(
        "complexity_score, complexity_level, risk_score, risk_level, readiness_score, scoring_details"))
    web = rows["bill-web-01"]
    # os 30 x 0.2, storage 20 x log10(200/100)/2, database 0, dependencies 25 x 1/10
    assert (float(web["complexity_score"]), web["complexity_level"]) == (11.51, "low")
    assert web["scoring_details"]["complexity"] == {"os": 6.0, "storage": 3.01, "database": 0.0, "dependencies": 2.5}
    db = rows["bill-db-01"]
    # critical 30, one dependent 5, restricted data 15, production 10
    assert (float(db["risk_score"]), db["risk_level"]) == (60.0, "high")
    assert db["scoring_details"]["risk"] == {"end_of_life": 0.0, "criticality": 30.0, "fan_in": 5.0,
                                             "data_classification": 15.0, "production": 10.0, "powered_off": 0.0}
    assert float(db["readiness_score"]) == 85.0
    assert db["scoring_details"]["readiness"] == {
        "components": {"restricted_data": -15.0},
        "blockers": ["restricted data: needs compliance approval before it moves"]}
    mystery = rows["mystery-01"]
    assert (float(mystery["risk_score"]), mystery["risk_level"], float(mystery["readiness_score"])) == (15.0, "low", 25.0)
    assert mystery["scoring_details"]["readiness"]["components"] == {  # 100 - 75
        "os_unknown": -20.0, "no_sizing": -20.0, "criticality_unknown": -15.0, "environment_unknown": -10.0,
        "no_utilisation": -10.0}
    assert mystery["scoring_details"]["readiness"]["blockers"][0] == "operating system unknown"

    assert results["complexity_scoring"].summary["scored"] == 10
    assert sum(results["complexity_scoring"].summary["levels"].values()) == 10
    risk = results["risk_scoring"].summary
    assert sum(risk["risk_levels"].values()) == 10
    assert risk["readiness_blockers"]["no_sizing"] == 2  # lb-01, mystery-01
    assert risk["readiness_blockers"]["restricted_data"] == 1


async def test_a_persons_override_survives_a_rerun(app_pool, portfolio) -> None:
    engagement, step = portfolio
    activities = AssessmentActivities(app_pool)
    await run_assessment(activities, step)
    decided = await override_strategy(app_pool, engagement.ref, "RPT-APP-01", "keep on premises", engagement.owner_id,
                                      "runs the regulator's quarterly export")
    assert decided["strategy"] == "retain" and decided["previous_strategy"] == "retire"

    results = await run_assessment(activities, step)
    rows = await fetch(app_pool, engagement.ref, assets_query(
        "six_r_strategy, strategy_source, strategy_confidence, strategy_rationale, projected_monthly_cost"))
    app = rows["rpt-app-01"]
    assert (app["six_r_strategy"], app["strategy_source"], app["strategy_confidence"]) == ("retain", "user", 1.0)
    assert app["strategy_rationale"]["reason"] == "runs the regulator's quarterly export"
    assert app["strategy_rationale"]["decided_by"] == str(engagement.owner_id)
    assert float(app["projected_monthly_cost"]) == 286.97  # retained: the modelled current cost stays
    assert rows["rpt-db-01"]["strategy_source"] == "rule"
    summary = results["strategy_recommendation"].summary
    assert summary["decided_by_people"] == 1
    assert summary["strategy_mix"] == {"rehost": 4, "replatform": 2, "retire": 1, "repurchase": 1, "retain": 2}
    apps = await fetch(app_pool, engagement.ref,
                       "SELECT application_name, strategy_rationale FROM migration.application_assessments")
    assert apps["reports"]["strategy_rationale"]["user_overrides"] == {"rpt-app-01": "retain"}


async def test_goals_tip_close_candidates(app_pool) -> None:
    """The same supported VMware server rehosts for cost reduction and replatforms for modernisation."""
    chosen = {}
    for goals in ({"cost_reduction": 5}, {"modernization": 5}):
        engagement = await make_engagement(app_pool, business_goals=goals)
        await insert_assets(app_pool, engagement.ref, [PORTFOLIO[0]])
        step = await assessment_step(app_pool, engagement.ref)
        await ActivityEnvironment().run(AssessmentActivities(app_pool).recommend_strategies, step)
        rows = await fetch(app_pool, engagement.ref, assets_query("six_r_strategy, strategy_rationale"))
        chosen[next(iter(goals))] = (rows["bill-web-01"]["six_r_strategy"],
                                     rows["bill-web-01"]["strategy_rationale"]["score"])
    # modernisation 5: rehost .85 - .15 = .70, replatform .65 + .15 = .80
    assert chosen == {"cost_reduction": ("rehost", 0.925), "modernization": ("replatform", 0.8)}


async def test_the_engagements_assumptions_price_the_assets(app_pool) -> None:
    """A person's overrides (`costs assumptions set`) are what the cost step prices with; a bad one stored
    behind the CLI's back fails the step for good, naming the key."""
    engagement = await make_engagement(app_pool)
    await insert_assets(app_pool, engagement.ref, [PORTFOLIO[1]])  # bill-db-01, modelled
    await set_assumptions(app_pool, engagement.ref, engagement.owner_id, ["cloud_pricing_term=3y", "vcpus_per_core=4"])
    step = await assessment_step(app_pool, engagement.ref)
    results = await run_assessment(AssessmentActivities(app_pool), step)
    summary = results["cost_projection"].summary
    assert (summary["pricing_term"], summary["assumptions_overridden"]) == ("3y", ["cloud_pricing_term", "vcpus_per_core"])
    cost = (await fetch(app_pool, engagement.ref, assets_query("scoring_details -> 'cost' AS c")))["bill-db-01"]["c"]
    # 2 host cores: VMware 2 x 350 / 12; managed database m6i.2xlarge 280.32 x (1 - 57%) x 1.85
    assert (cost["current_components"]["virtualisation"], cost["components"]["compute"]) == (58.33, 222.99)
    assert cost["pricing_term"] == "3y"

    async with tenant_transaction(app_pool, engagement.ref.client_account_id, engagement.ref.id) as conn:
        await conn.execute("UPDATE migration.engagements SET settings = settings || '{\"business_case\": {\"pue\": 9}}'")
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(AssessmentActivities(app_pool).project_costs, step)
    assert raised.value.non_retryable and raised.value.type == "BadInput"
    assert raised.value.message.startswith("the engagement's business-case assumptions are not valid (pue: ")


@pytest.mark.parametrize(("goals", "fault"), [
    ({"speed": 9}, "speed: Input should be less than or equal to 5"),
    ({"agility": 4}, "agility: Extra inputs are not permitted"),
    (["speed", "cost_reduction"], "value: Input should be a valid dictionary"),
])
async def test_bad_business_goals_fail_the_step_for_good(app_pool, goals, fault) -> None:
    engagement = await make_engagement(app_pool, business_goals=goals)
    await insert_assets(app_pool, engagement.ref, [PORTFOLIO[0]])
    step = await assessment_step(app_pool, engagement.ref)
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(AssessmentActivities(app_pool).recommend_strategies, step)
    assert raised.value.non_retryable and raised.value.type == "BadInput"
    assert "the engagement's business goals are not valid" in raised.value.message
    assert fault in raised.value.message
    rows = await fetch(app_pool, engagement.ref, assets_query("six_r_strategy"))
    assert rows["bill-web-01"]["six_r_strategy"] is None


async def test_an_asset_fact_outside_the_vocabulary_names_the_asset(app_pool) -> None:
    engagement = await make_engagement(app_pool)
    await insert_assets(app_pool, engagement.ref, [{"name": "odd-01", "asset_type": "server", "os_family": "beos"}])
    step = await assessment_step(app_pool, engagement.ref)
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(AssessmentActivities(app_pool).score_complexity, step)
    assert raised.value.non_retryable
    assert "asset 'odd-01'" in raised.value.message and "os_family" in raised.value.message


PRICE_TABLE = {
    "provider": "aws", "region": "eu-central-1", "currency": "USD", "as_of": "2026-09-15", "source": "test table",
    "hours_per_month": 730, "storage_gb_month": 0.1, "windows_vcpu_month": 30,
    "instances": [{"name": "small.2", "vcpu": 2, "memory_gb": 8, "hourly": 0.1},
                  {"name": "big.8", "vcpu": 8, "memory_gb": 64, "hourly": 0.5}],
}


async def test_a_configured_price_table_and_comfort_factor(app_pool, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(PRICE_TABLE))
    monkeypatch.setenv("MIGRATION_PRICE_TABLE", str(path))
    monkeypatch.setenv("MIGRATION_COMFORT_FACTOR", "1.0")
    get_settings.cache_clear()
    try:
        activities = AssessmentActivities(app_pool)
    finally:
        get_settings.cache_clear()
    engagement = await make_engagement(app_pool)
    given = {**PORTFOLIO[9], "current_monthly_cost": None}  # phys-01 without a cost of its own
    await insert_assets(app_pool, engagement.ref, [given, {**PORTFOLIO[0], "cost_currency": "EUR"}])
    step = await assessment_step(app_pool, engagement.ref)
    await run_assessment(activities, step)
    rows = await fetch(app_pool, engagement.ref, assets_query(
        "projected_monthly_cost, target_instance_type, target_region, prices_as_of, scoring_details -> 'cost' AS c"))
    phys = rows["phys-01"]
    # 4 x 60% x 1.0 = 2.4 vCPU, 8 GB -> big.8 (365.00) + 100 GB x 0.1
    assert (phys["target_instance_type"], phys["target_region"], phys["prices_as_of"]) == (
        "big.8", "eu-central-1", date(2026, 9, 15))
    assert (phys["c"]["components"]["compute"], phys["c"]["components"]["storage"]) == (365.0, 10.0)
    assert float(phys["projected_monthly_cost"]) == round(sum(phys["c"]["components"].values()), 2)
    assert phys["c"]["needed_vcpu"] == 2.4 and phys["c"]["comfort_factor"] == 1.0
    # bill-web-01's own cost is in EUR: no projection from a USD table, and the reason says so
    web = rows["bill-web-01"]
    assert web["projected_monthly_cost"] is None and web["target_instance_type"] is None
    assert "the price table is in USD, the asset's costs in EUR" in web["c"]["reasons"]


def test_a_bad_price_table_file_is_refused_by_name(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ValueError, match=f"price table {missing}: cannot be read"):
        load_price_table(missing)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**PRICE_TABLE, "currency": "euro"}))
    with pytest.raises(ValueError, match=rf"{broken}: not a price table \(currency: String should match"):
        load_price_table(broken)


async def test_0013_moves_earlier_modelled_costs_out_of_the_input_column(empty_db, tmp_path: Path) -> None:
    """Assessments before 0013 wrote modelled current costs into current_monthly_cost; the migration
    moves them to modelled_monthly_cost and drops the keys scoring_details no longer uses."""
    schema = tmp_path / "schema"
    schema.mkdir()
    for path in sorted(SCHEMA_DIR.glob("*.sql")):
        if path.name < "0013":
            shutil.copy(path, schema)
    await migrate(empty_db.owner_url, schema)
    pool = await create_pool(empty_db.app_url, max_size=2)
    try:
        tenant = await insert_raw_tenant(pool, "before-0013")  # plain SQL: the db layer speaks today's schema
        engagement = EngagementFixture(EngagementRef(tenant.engagement_id, tenant.client_id, "before-0013"),
                                       tenant.user_id, tenant.user_id)
        await insert_assets(pool, engagement.ref, [
            {"name": "modelled", "current_monthly_cost": 428,
             "scoring_details": {"cost_source": "model", "readiness_blockers": ["x"], "risk": {"fan_in": 5.0}}},
            {"name": "given", "current_monthly_cost": 300, "scoring_details": {"cost_source": "input"}},
            {"name": "unassessed", "current_monthly_cost": 90},
        ])
        shutil.copy(SCHEMA_DIR / "0013_assessment_details.sql", schema)
        assert [m.version for m in await migrate(empty_db.owner_url, schema)] == [13]
        rows = await fetch(pool, engagement.ref, assets_query(
            "current_monthly_cost, modelled_monthly_cost, scoring_details"))
    finally:
        await pool.close()
    simplified = {n: (r["current_monthly_cost"] and float(r["current_monthly_cost"]),
                      r["modelled_monthly_cost"] and float(r["modelled_monthly_cost"]), r["scoring_details"])
                  for n, r in rows.items()}
    assert simplified == {"modelled": (None, 428.0, {"risk": {"fan_in": 5.0}}), "given": (300.0, None, {}),
                          "unassessed": (90.0, None, {})}
