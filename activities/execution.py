"""Execution steps: check the plan and its runbook templates, schedule the waves, validate the result.

Each wave runs as its own workflow over its runbook (activities.runbooks). `execute_wave` and `list_waves` are
the dry run of engagements whose execution started before runbooks (workflow patch "execution-runbooks"): it
moves a wave's assets to `migrated` in batches, heartbeating, continuing with those not yet migrated.
"""

from __future__ import annotations

import asyncpg
from pydantic import ValidationError
from temporalio import activity

from activities.errors import bad_input
from activities.heartbeat import heartbeating, progress
from db.pool import tenant_transaction
from db.queries import sql
from db.runbook_templates import current_templates
from domain.execution.contracts import ExecutionSettings, PlannedWave, WaveSchedule
from domain.execution.templates import TemplateError
from domain.flow_contracts import StepInput, StepResult, WaveInput, WaveResult


class ExecutionActivities:
    def __init__(self, pool: asyncpg.Pool, batch_size: int = 500) -> None:
        self._pool = pool
        self._batch_size = batch_size

    def _tx(self, inp: StepInput):
        return tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id)

    @activity.defn(name="execution.prepare_runbooks")
    @heartbeating
    async def prepare_runbooks(self, inp: StepInput) -> StepResult:
        """The plan has waves, and every strategy in them has a usable runbook template (imported or bundled)."""
        async with self._tx(inp) as conn:
            overview = await conn.fetchrow(sql("waves_overview"))
            if overview["waves"] == 0:
                raise bad_input("the engagement has no wave plan to execute")
            try:
                current = await current_templates(conn)
            except TemplateError as err:
                raise bad_input(f"an imported runbook template cannot be used: {err.problems[0]}") from None
            templates = {}
            for row in await conn.fetch(sql("execution_strategies")):
                found = current.get(row["strategy"])
                templates[row["strategy"]] = (f"{found.template.name} v{found.template.version} ({found.source})"
                                              if found else "none (stays where it is)")
        return StepResult(summary={"waves": overview["waves"], "assets": overview["assets"],
                                   "waves_already_completed": overview["completed"], "runbooks": templates})

    @activity.defn(name="execution.plan_schedule")
    @heartbeating
    async def plan_schedule(self, inp: StepInput) -> WaveSchedule:
        """The waves to execute with their planned starts and the waves each depends on, and the engagement's
        execution settings (engagement settings `execution`)."""
        async with self._tx(inp) as conn:
            settings_row = await conn.fetchrow(sql("engagement_planning_settings"), inp.tenant.engagement_id)
            rows = await conn.fetch(sql("execution_waves_schedule"), False)
        raw = (settings_row["settings"] or {}).get("execution", {}) if settings_row else {}
        try:
            settings = ExecutionSettings.model_validate(raw)
        except ValidationError as err:
            problem = err.errors()[0]
            raise bad_input(f"engagement setting execution.{'.'.join(map(str, problem['loc']))}: "
                            f"{problem['msg']}") from None
        return WaveSchedule(settings=settings, waves=tuple(
            PlannedWave(number=r["wave_number"], planned_start=r["planned_start"], depends_on=tuple(r["depends_on"]))
            for r in rows))

    @activity.defn(name="execution.list_waves")
    @heartbeating
    async def list_waves(self, inp: StepInput) -> StepResult:
        async with self._tx(inp) as conn:
            rows = await conn.fetch(sql("waves_pending"))
        return StepResult(summary={"wave_numbers": [r["wave_number"] for r in rows]})

    @activity.defn(name="execution.execute_wave")
    @heartbeating
    async def execute_wave(self, inp: WaveInput) -> WaveResult:
        step = inp.step
        async with self._tx(step) as conn:
            await conn.execute(sql("wave_start"), inp.wave_number)
        moved = 0
        while True:
            async with self._tx(step) as conn:
                status = await conn.execute(sql("wave_migrate_batch"), inp.wave_number, step.phase_flow_id,
                                            self._batch_size)
            batch = int(status.split()[-1])
            if batch == 0:
                break
            moved += batch
            progress(moved)
        async with self._tx(step) as conn:
            migrated = await conn.fetchval(sql("wave_complete"), inp.wave_number)
        return WaveResult(wave_number=inp.wave_number, assets_migrated=migrated or 0)

    @activity.defn(name="execution.validate_migration")
    @heartbeating
    async def validate_migration(self, inp: StepInput) -> StepResult:
        async with self._tx(inp) as conn:
            row = await conn.fetchrow(sql("migration_validation"))
        return StepResult(
            summary={"migrated": row["migrated"], "not_migrated": row["not_migrated"],
                     "not_in_any_wave": row["not_in_waves"]},
            asset_count=row["migrated"],
        )
