"""Loads what the engagement report shows (`reports.model.EngagementReport`) through the named
`report_*` queries, in one tenant transaction, so row-level security scopes every row to the
engagement. Lists that grow with the portfolio are cut to `ReportLimits` in the database."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import asyncpg

from db import agent_advice, plan_names
from db.business_case import overrides_of
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef, TenancyError
from domain.agent_advice import NOT_CONFIGURED, agents_line
from domain.assessment.assumptions import assumption_rows, bundled_assumptions, resolve
from domain.assessment.business_case import BusinessCase, savings_by_term, sensitivity
from domain.vocabulary import PHASES, SIX_R_STRATEGIES, STEP_RUN_STATUSES
from reports.model import (
    AgentAdvice,
    ApplicationRow,
    Costs,
    Count,
    CrewRun,
    EngagementReport,
    Execution,
    ExecutionIssue,
    GroupEdge,
    Portfolio,
    ReportLimits,
    RollbackRow,
    Shown,
    StrategyShare,
    Undelivered,
    WaveCost,
    WaveExecution,
    WaveRow,
    first,
    pick_graph,
)

_DIMENSIONS = ("asset_type", "environment", "os_family", "business_criticality")


async def load_report(pool: asyncpg.Pool, ref: EngagementRef, limits: ReportLimits = ReportLimits()) -> EngagementReport:
    """The report data of one engagement; an engagement that does not exist (in its client) is refused."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        heading = await conn.fetchrow(sql("report_engagement"), ref.id)
        if heading is None:
            raise TenancyError(f"no engagement {ref.name!r} ({ref.id}) in client account {ref.client_account_id}")
        portfolio = await _portfolio(conn, limits)
        strategies = await conn.fetch(sql("report_strategy_mix"), [*SIX_R_STRATEGIES, "undecided"])
        applications = await conn.fetch(sql("report_applications"), limits.rows)
        costs = await conn.fetch(sql("report_cost_by_wave"))
        waves = await conn.fetch(sql("report_waves"))
        groups = await plan_names.move_groups(conn, limits.members)
        group_edges = await conn.fetch(sql("report_group_edges"))
        violation_counts = await conn.fetch(sql("report_violation_counts"))
        violations = await plan_names.violations(conn, {g.id: g.label for g in groups}, limits.members, limits.rows)
        execution = await _execution(conn, limits)
        business_case = await _business_case(conn, ref, [r["estimated_cost"] for r in waves])
        agents = await _agents(conn, limits)
    return EngagementReport(
        client=heading["client"],
        engagement=heading["engagement"],
        start_date=heading["start_date"],
        generated_on=heading["today"],
        portfolio=portfolio,
        strategies=tuple(StrategyShare(r["strategy"], r["applications"], r["assets"]) for r in strategies),
        applications=_shown([ApplicationRow(
            r["application_name"], r["six_r_strategy"], r["strategy_source"], r["strategy_confidence"],
            r["asset_count"], _number(r["current_monthly_cost"]), _number(r["projected_monthly_cost"]),
            _number(r["monthly_savings"]),
        ) for r in applications], applications),
        costs=Costs(
            currencies=tuple(sorted({c for r in costs for c in r["currencies"]})),
            by_wave=tuple(WaveCost(
                r["wave"], r["assets"], float(r["current_monthly"]), float(r["projected_monthly"]),
                float(r["savings_monthly"]), r["without_current"], r["without_projection"],
            ) for r in costs),
        ),
        waves=tuple(WaveRow(
            r["wave_number"], r["name"], r["kind"], r["status"], r["planned_start"], r["planned_end"],
            r["asset_count"], r["move_groups"], float(r["total_storage_gb"]), _number(r["estimated_effort_days"]),
            _number(r["estimated_cost"]), r["undecided_assets"],
        ) for r in waves),
        graph=pick_graph(
            groups,
            [GroupEdge(r["source"], r["target"], r["dependencies"], r["hard"]) for r in group_edges],
            limits.graph_groups,
        ),
        violations_by_rule=tuple(Count(r["rule"], r["violations"]) for r in violation_counts),
        violations=violations,
        execution=execution,
        business_case=business_case,
        agents=agents,
    )


async def _business_case(conn: asyncpg.Connection, ref: EngagementRef,
                         wave_costs: list[Decimal | None]) -> BusinessCase | None:
    """Current against projected cost of the assets with both figures, the engagement's assumptions, the
    plan's one-off labour and the sensitivity; None before the assessment has projected any cost."""
    totals = await conn.fetchrow(sql("report_business_case"))
    if not totals["assets"]:
        return None
    overrides = overrides_of((await conn.fetchrow(sql("engagement_planning_settings"), ref.id))["settings"])
    assumptions = resolve(overrides)
    components = {(r["side"], r["component"]): float(r["monthly"])
                  for r in await conn.fetch(sql("report_cost_components"))}
    current, projected = float(totals["current_monthly"]), float(totals["projected_monthly"])
    planned = [float(cost) for cost in wave_costs if cost is not None]
    return BusinessCase(
        currency=bundled_assumptions().currency, assets=totals["assets"], assets_left_out=totals["assets_left_out"],
        current_monthly=current, projected_monthly=projected, horizon_years=assumptions.horizon_years,
        pricing_term=assumptions.cloud_pricing_term, migration_cost=sum(planned) if planned else None,
        assumptions=tuple(assumption_rows(overrides)),
        sensitivity=sensitivity(round(current - projected, 2), components),
        by_term=savings_by_term(round(current - projected, 2), components.get(("projected", "compute"), 0.0),
                                assumptions),
    )


async def _portfolio(conn: asyncpg.Connection, limits: ReportLimits) -> Portfolio:
    counts: dict[str, list[Count]] = {dimension: [] for dimension in (*_DIMENSIONS, "total")}
    for row in await conn.fetch(sql("report_portfolio")):
        counts[row["dimension"]].append(Count(row["value"], row["assets"]))
    flags = await conn.fetch(sql("report_tech_debt"))
    return Portfolio(
        assets=sum(c.count for c in counts["total"]),
        by_type=first(counts["asset_type"], limits.rows),
        by_environment=first(counts["environment"], limits.rows),
        by_os_family=first(counts["os_family"], limits.rows),
        by_criticality=first(counts["business_criticality"], limits.rows),
        tech_debt=first([Count(r["flag"], r["assets"]) for r in flags if not r["total"]], limits.rows),
        assets_with_tech_debt=sum(r["assets"] for r in flags if r["total"]),
    )


async def _execution(conn: asyncpg.Connection, limits: ReportLimits) -> Execution:
    """Each wave's latest run against its plan, what failed (bounded), the rollbacks, undelivered notifications."""
    failures = await conn.fetch(sql("report_execution_failures"), limits.failures)
    rollbacks = await conn.fetch(sql("report_execution_rollbacks"), limits.rows)
    return Execution(
        waves=tuple(WaveExecution(
            r["wave_number"], r["name"], r["wave_status"], r["planned_start"], r["planned_end"], r["run_number"],
            r["status"], r["started_at"], r["completed_at"],
            tuple(Count(status, r["counts"][status]) for status in STEP_RUN_STATUSES if status in r["counts"]),
        ) for r in await conn.fetch(sql("execution_status_waves"), None)),
        failures=_shown([ExecutionIssue(
            r["wave_number"], r["run_number"], r["strategy"], r["direction"], r["step_key"], r["title"], r["scope"],
            r["asset_name"], r["application_name"], r["status"], r["reason"] or "no reason recorded",
        ) for r in failures], failures),
        rollbacks=_shown([RollbackRow(
            r["wave_number"], r["run_number"], r["status"], r["aborted_by"], r["abort_reason"], r["completed_at"],
            r["compensations"], r["compensated"],
        ) for r in rollbacks], rollbacks),
        undelivered=tuple(Undelivered(r["kind"], r["notifications"], r["attempted"], r["last_error"])
                          for r in await conn.fetch(sql("report_execution_undelivered"))),
    )


async def _agents(conn: asyncpg.Connection, limits: ReportLimits) -> AgentAdvice:
    """What the agents advised: each crew's last summary (in phase order), the counts, the alternatives that differ
    from the decided strategy and the plan critic's latest findings (both cut to the limits), and
    the engagement's model calls in all."""
    crews = sorted(await conn.fetch(sql("report_agent_crews")), key=lambda r: PHASES.index(r["phase"]))
    counts = await conn.fetchrow(sql("report_agent_counts"))
    usage = await conn.fetchrow(sql("report_agent_usage"))
    differing, differing_total = await agent_advice.alternatives(conn, only_with_alternative=True,
                                                                only_differing=True, limit=limits.alternatives)
    findings, findings_total = await agent_advice.findings(conn, None, limits.rows)
    return AgentAdvice(
        crews=tuple(CrewRun(r["phase"], agents_line(r["agents"]), r["agents"].get("status") != NOT_CONFIGURED)
                    for r in crews),
        mappings_suggested=counts["mappings_suggested"], mappings_approved=counts["mappings_approved"],
        alternatives=Shown(tuple(differing), differing_total - len(differing)),
        alternatives_total=counts["alternatives"],
        findings=Shown(tuple(findings), findings_total - len(findings)),
        calls=usage["calls"], failed_calls=usage["failed_calls"], tokens=usage["tokens"],
        cost_usd=float(usage["cost_usd"]), models=tuple(usage["models"]),
    )


def _shown(rows: list, records: Iterable[asyncpg.Record]) -> Shown:
    """Rows cut by a query's LIMIT, with how many its `total` column says were left out."""
    total = next((r["total"] for r in records), 0)
    return Shown(tuple(rows), total - len(rows))


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
