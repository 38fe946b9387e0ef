"""Planning steps: move groups from hard dependencies, waves under a size cap, dates, effort and cost.

The whole wave plan (waves, memberships, the assets' wave numbers) is replaced in one transaction,
so a re-run or a retry yields the same plan and never a mix of two.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import asyncpg
from temporalio import activity

from activities.errors import bad_input
from activities.heartbeat import heartbeating
from db.pool import tenant_transaction
from db.queries import sql
from domain.effort import DAY_RATE, DEFAULT_WAVE_LENGTH_DAYS, DEFAULT_WAVE_SIZE, EFFORT_DAYS
from domain.flow_contracts import StepInput, StepResult
from domain.move_groups import move_groups
from domain.shared_services import SHARED_SERVICE_GROUP_PREFIX, shared_service_hubs, without_hub_edges
from domain.wave_packing import pack_waves

_STAGING_COLUMNS = ["asset_id", "wave_number", "move_group", "placement_reason"]


class PlanningActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def _tx(self, inp: StepInput):
        return tenant_transaction(self._pool, inp.tenant.client_account_id, inp.tenant.engagement_id)

    async def _settings(self, conn: asyncpg.Connection, inp: StepInput) -> tuple[date | None, dict[str, Any]]:
        row = await conn.fetchrow(sql("engagement_planning_settings"), inp.tenant.engagement_id)
        return row["start_date"], row["settings"] or {}

    @activity.defn(name="planning.build_move_groups")
    @heartbeating
    async def build_move_groups(self, inp: StepInput) -> StepResult:
        """Connected components over hard dependencies of the assets that move."""
        async with self._tx(inp) as conn:
            assets = await conn.fetch(sql("planning_assets"))
            edges = await conn.fetch(sql("planning_edges"))
            moving = {row["id"] for row in assets}
            pairs = [(str(e["source_asset_id"]), str(e["target_asset_id"])) for e in edges
                     if e["source_asset_id"] in moving and e["target_asset_id"] in moving]
            hubs = shared_service_hubs(len(moving), pairs)
            groups = await asyncio.to_thread(
                move_groups, sorted(str(a) for a in moving), without_hub_edges(pairs, hubs)
            )
            staged = [
                (asset_id, None, _group_name(index, group, hubs), None)
                for index, group in enumerate(groups)
                for asset_id in group
            ]
            await conn.execute(sql("staging_wave_assets_create"))
            await conn.copy_records_to_table("staging_wave_assets", records=staged, columns=_STAGING_COLUMNS)
            await conn.execute(sql("assets_move_group_update"))
        to_staying = sum(
            1 for e in edges if (e["source_asset_id"] in moving) != (e["target_asset_id"] in moving)
        )
        return StepResult(summary={
            "move_groups": len(groups),
            "largest_group": max((len(g) for g in groups), default=0),
            "single_asset_groups": sum(1 for g in groups if len(g) == 1),
            "assets_moving": len(moving),
            "shared_service_hubs": len(hubs),
            "dependencies_on_assets_that_stay": to_staying,
        })

    @activity.defn(name="planning.plan_waves")
    @heartbeating
    async def plan_waves(self, inp: StepInput) -> StepResult:
        """Pack whole move groups into waves no larger than the engagement's wave size."""
        async with self._tx(inp) as conn:
            _, settings = await self._settings(conn, inp)
            cap = positive_setting(settings, "wave_size", DEFAULT_WAVE_SIZE)
            assets = await conn.fetch(sql("planning_assets"))
            if not assets:
                raise bad_input("no asset is to be migrated: nothing to plan")
            by_group: dict[str, list[asyncpg.Record]] = {}
            for row in assets:
                if row["move_group"] is None:
                    raise bad_input("assets without a move group: run the move_groups step first")
                by_group.setdefault(row["move_group"], []).append(row)
            names = sorted(by_group)
            groups = [[str(r["id"]) for r in by_group[name]] for name in names]
            waves = pack_waves(groups, cap)
            storage = {str(r["id"]): float(r["storage_gb"]) for r in assets}
            staged, wave_rows = [], []
            for wave in waves:
                for group_index in wave.group_indexes:
                    name = names[group_index]
                    for asset_id in groups[group_index]:
                        staged.append((asset_id, wave.wave_number, name,
                                       f"move group {name} ({len(groups[group_index])} assets) fits wave "
                                       f"{wave.wave_number} under the cap of {cap}"))
                wave_rows.append({
                    "wave_number": wave.wave_number,
                    "asset_count": len(wave.asset_ids),
                    "total_storage_gb": round(sum(storage[a] for a in wave.asset_ids), 2),
                    "constraints_report": {"cap": cap, "notes": list(wave.notes)},
                })
            tenant = inp.tenant
            await conn.execute(sql("waves_delete"))
            await conn.execute(sql("waves_insert"), tenant.client_account_id, tenant.engagement_id,
                               inp.phase_flow_id, wave_rows)
            await conn.execute(sql("staging_wave_assets_create"))
            await conn.copy_records_to_table("staging_wave_assets", records=staged, columns=_STAGING_COLUMNS)
            await conn.execute(sql("wave_assets_insert"), tenant.client_account_id, tenant.engagement_id)
            await conn.execute(sql("assets_wave_assign"), inp.phase_flow_id)
        return StepResult(summary={
            "waves": len(waves),
            "wave_size_cap": cap,
            "assets_planned": len(staged),
            "largest_wave": max((len(w.asset_ids) for w in waves), default=0),
            "notes": [note for w in waves for note in w.notes][:20],
        })

    @activity.defn(name="planning.schedule_waves")
    @heartbeating
    async def schedule_waves(self, inp: StepInput) -> StepResult:
        """Date the waves back to back from the engagement's start (or the next Monday)."""
        async with self._tx(inp) as conn:
            start, settings = await self._settings(conn, inp)
            length = positive_setting(settings, "wave_length_days", DEFAULT_WAVE_LENGTH_DAYS)
            start = start or _next_monday(date.today())
            rows = await conn.fetch(sql("waves_schedule"), start, length)
        last_end = max((r["planned_end"] for r in rows), default=None)
        return StepResult(summary={
            "start": start.isoformat(), "wave_length_days": length,
            "end": last_end.isoformat() if last_end else None,
        })

    @activity.defn(name="planning.estimate_costs")
    @heartbeating
    async def estimate_costs(self, inp: StepInput) -> StepResult:
        """Effort per wave from the strategy effort table, priced at the day rate."""
        async with self._tx(inp) as conn:
            rows = await conn.fetch(sql("waves_estimate"), EFFORT_DAYS, DAY_RATE)
        effort = sum(float(r["estimated_effort_days"]) for r in rows)
        return StepResult(summary={
            "effort_person_days": round(effort, 2),
            "labour_cost": round(effort * DAY_RATE, 2),
            "day_rate": DAY_RATE,
        })


def positive_setting(settings: dict[str, Any], name: str, default: int) -> int:
    """A whole-number engagement setting of at least 1; anything else is bad input, never retried."""
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad_input(f"the engagement setting {name} must be a whole number of at least 1, not {value!r}")
    return value


def _group_name(index: int, group: list[str], hubs: set[str]) -> str:
    """MG-0001 ...; a group made of one shared-service hub is named SHARED-0001 instead."""
    prefix = SHARED_SERVICE_GROUP_PREFIX if len(group) == 1 and group[0] in hubs else "MG-"
    return f"{prefix}{index + 1:04d}"


def _next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)
