"""Execution steps: check the plan is runnable, run each wave (dry-run executor), validate the result.

The dry-run executor moves a wave's assets to `migrated` in batches, heartbeating; a retried wave
continues with the assets not yet migrated, so nothing is done twice.
"""

from __future__ import annotations

import asyncpg
from temporalio import activity

from activities.errors import bad_input
from activities.heartbeat import heartbeating, progress
from db.pool import tenant_transaction
from db.queries import sql
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
        async with self._tx(inp) as conn:
            overview = await conn.fetchrow(sql("waves_overview"))
        if overview["waves"] == 0:
            raise bad_input("the engagement has no wave plan to execute")
        return StepResult(summary={"waves": overview["waves"], "assets": overview["assets"],
                                   "waves_already_completed": overview["completed"]})

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
