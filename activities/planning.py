"""Planning steps on the dependency-aware wave planner (`domain.planning.planner.plan_waves`).

move_groups checks the input and reports the move groups the rules make (nothing is written yet);
wave_planning plans and replaces the whole plan in one transaction (waves with kind, dates, totals
and cost; memberships; each asset's wave, move group and reason; violations and ordering cycles), so
a re-run or a retry yields the same plan and never a mix of two; timeline and cost_estimate report
the written plan's calendar and its effort and cost. Summaries are counts, never asset lists, and all read the
written plan, so `summarise_written_plan` gives them again after a person changed the plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
from temporalio import activity

from activities.errors import bad_input
from activities.heartbeat import heartbeating
from db.plan_review import Portfolio, plan_settings, read_portfolio, write_plan
from db.pool import tenant_transaction
from db.queries import sql
from domain.assessment.effort import DAY_RATE
from domain.flow_contracts import StepInput, StepResult, Tenant
from domain.planning.groups import group_portfolio
from domain.planning.model import PlanSettings
from domain.planning.planner import plan_waves
from domain.planning.schedule import GB_PER_TB
from domain.vocabulary import WAVE_KINDS

T = TypeVar("T")


class PlanningActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def _tx(self, inp: StepInput):
        return tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id)

    async def _input(self, conn: asyncpg.Connection, inp: StepInput) -> tuple[Portfolio, PlanSettings]:
        """The portfolio and the engagement's planning settings; bad ones are final bad input."""
        row = await conn.fetchrow(sql("engagement_planning_settings"), inp.tenant.engagement_id)
        start = row["start_date"] or _monday_from(await conn.fetchval(sql("planning_flow_start"), inp.phase_flow_id))
        try:
            settings = plan_settings(start, row["settings"] or {})
            portfolio = await read_portfolio(conn)
        except ValueError as exc:
            raise bad_input(str(exc)) from None
        if not portfolio.assets:
            raise bad_input("the engagement has no assets: nothing to plan")
        return portfolio, settings

    @activity.defn(name="planning.build_move_groups")
    @heartbeating
    async def build_move_groups(self, inp: StepInput) -> StepResult:
        """The move groups, shared services and ties to assets that stay, as the planner will see them."""
        async with self._tx(inp) as conn:
            portfolio, settings = await self._input(conn, inp)
        grouped = await _ruled(group_portfolio, portfolio, settings)
        return StepResult(summary={
            "move_groups": len(grouped.groups),
            "largest_group": max((len(g.asset_ids) for g in grouped.groups), default=0),
            "single_asset_groups": sum(1 for g in grouped.groups if len(g.asset_ids) == 1),
            "assets_moving": len(grouped.group_of),
            "assets_not_migrated": len(grouped.not_migrated),
            "shared_services": len(grouped.shared_services),
            "ties_to_assets_that_stay": len(grouped.left_behind),
        })

    @activity.defn(name="planning.plan_waves")
    @heartbeating
    async def plan_waves(self, inp: StepInput) -> StepResult:
        """Plan the waves and replace the engagement's plan with them in one transaction."""
        async with self._tx(inp) as conn:
            portfolio, settings = await self._input(conn, inp)
            plan = await _ruled(plan_waves, portfolio, settings)
            if not plan.waves:
                raise bad_input("no asset is to be migrated (every one is retired or retained): nothing to plan")
            await write_plan(conn, inp.tenant.client_account_id, inp.tenant.engagement_id, inp.phase_flow_id, plan)
            summary = await _plan_summary(conn, settings)
        return StepResult(summary=summary, asset_count=len(plan.placements))

    @activity.defn(name="planning.schedule_waves")
    @heartbeating
    async def schedule_waves(self, inp: StepInput) -> StepResult:
        """The plan's calendar: first and last day, waves by kind (dated by wave_planning)."""
        async with self._tx(inp) as conn:
            return StepResult(summary=await _timeline(conn, inp.tenant.engagement_id))

    @activity.defn(name="planning.estimate_costs")
    @heartbeating
    async def estimate_costs(self, inp: StepInput) -> StepResult:
        """Effort (person-days by strategy, or the asset's own) and labour cost of the written plan."""
        async with self._tx(inp) as conn:
            return StepResult(summary=await _costs(conn))

    @activity.defn(name="planning.summarise_written_plan")
    @heartbeating
    async def summarise_written_plan(self, tenant: Tenant) -> dict[str, dict[str, Any]]:
        """The summaries of the planning steps that describe the written plan, read again after a person changed
        it (`plan import`, `plan replan`) while planning awaits approval."""
        async with tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id) as conn:
            row = await conn.fetchrow(sql("engagement_planning_settings"), tenant.engagement_id)
            totals = await conn.fetchrow(sql("waves_totals"))
            if totals["waves"] == 0:
                raise bad_input("the engagement has no wave plan: the wave_planning step writes it")
            settings = _settings(row["start_date"] or totals["first_start"], row["settings"])
            return {"wave_planning": await _plan_summary(conn, settings),
                    "timeline": await _timeline(conn, tenant.engagement_id), "cost_estimate": await _costs(conn)}


async def _plan_summary(conn: asyncpg.Connection, settings: PlanSettings) -> dict[str, Any]:
    """The written plan's shape: waves by kind (in the vocabulary's order), move groups, violations by rule."""
    row = await conn.fetchrow(sql("plan_summary"))
    kinds, rules = row["waves_by_kind"], row["violations_by_rule"]
    return {
        "waves": row["waves"],
        "waves_by_kind": {kind: kinds[kind] for kind in WAVE_KINDS if kinds.get(kind)},
        "pilot_assets": row["pilot_assets"],
        "move_groups": row["move_groups"],
        "assets_planned": row["assets_planned"],
        "assets_not_migrated": row["assets_not_migrated"],
        "largest_wave": row["largest_wave"],
        "violations_by_rule": dict(sorted(rules.items())),
        "ordering_cycles": row["ordering_cycles"],
        "max_assets_per_wave": settings.max_assets,
    }


async def _timeline(conn: asyncpg.Connection, engagement_id: UUID) -> dict[str, Any]:
    totals = await conn.fetchrow(sql("waves_totals"))
    row = await conn.fetchrow(sql("engagement_planning_settings"), engagement_id)
    if totals["waves"] == 0:
        raise bad_input("the engagement has no wave plan: the wave_planning step writes it")
    settings = _settings(totals["first_start"], row["settings"])
    return {
        "start": totals["first_start"].isoformat(),
        "end": totals["last_end"].isoformat(),
        "days": (totals["last_end"] - totals["first_start"]).days + 1,
        "waves": totals["waves"],
        "foundation_waves": totals["foundation_waves"],
        "pilot_waves": totals["pilot_waves"],
        "non_production_waves": totals["non_production_waves"],
        "production_waves": totals["production_waves"],
        "wave_length_days": settings.wave_length_days,
        "overlap_days": settings.overlap_days,
    }


async def _costs(conn: asyncpg.Connection) -> dict[str, Any]:
    totals = await conn.fetchrow(sql("waves_totals"))
    if totals["waves"] == 0:
        raise bad_input("the engagement has no wave plan: the wave_planning step writes it")
    return {
        "effort_person_days": round(float(totals["effort_days"]), 2),
        "labour_cost": round(float(totals["cost"]), 2),
        "day_rate": DAY_RATE,
        "storage_tb": round(float(totals["storage_gb"]) / GB_PER_TB, 3),
        "assets_without_strategy": totals["undecided_assets"],
    }


def _settings(start: date, stored: dict[str, Any] | None) -> PlanSettings:
    """The engagement's stored planning settings from `start`; bad ones are final bad input."""
    try:
        return plan_settings(start, stored or {})
    except ValueError as exc:
        raise bad_input(str(exc)) from None


async def _ruled(rules: Callable[..., T], portfolio: Portfolio, settings: PlanSettings) -> T:
    """The planner's pure rules over the portfolio, in a thread; input they refuse is final bad input."""
    try:
        return await asyncio.to_thread(rules, portfolio.assets, portfolio.edges, settings)
    except ValueError as exc:
        raise bad_input(str(exc)) from None


def _monday_from(day: date | None) -> date:
    """The first Monday on or after `day` (the planning flow's start; always known for a running flow)."""
    if day is None:
        raise bad_input("the planning flow has no start date and the engagement none either")
    return day + timedelta(days=(7 - day.weekday()) % 7)
