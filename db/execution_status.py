"""Reads of an engagement's execution for people: its waves' latest runbooks, their steps counted by status, the
step runs that wait or failed, and the runs a person's action may concern. Under the caller's pool (a person's
own login sees only what row-level security grants them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef

_ASSET_FACTS = ("name", "hostname", "environment", "os_family", "business_criticality")


def _record(row: asyncpg.Record) -> dict[str, Any]:
    return dict(row.items())


async def waves(pool: asyncpg.Pool, ref: EngagementRef, wave: int | None = None) -> list[dict[str, Any]]:
    """The planned waves (one, or all) with their latest runbook's columns (None when not started) and forward
    step runs counted by status."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [_record(row) for row in await conn.fetch(sql("execution_status_waves"), wave)]


async def runbook_detail(pool: asyncpg.Pool, ref: EngagementRef, runbook_id: UUID, statuses: Sequence[str],
                         runs_per_step: int | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A runbook's steps in reading order with their runs counted by status, and its runs in `statuses` (at
    most `runs_per_step` of each step, None: all; by status in that order, then by name)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        steps = await conn.fetch(sql("execution_status_steps"), runbook_id)
        runs = [_record(row) for row in await conn.fetch(sql("execution_status_runs"), runbook_id, list(statuses),
                                                         runs_per_step)]
        names = {row["id"]: row["name"] for row in await conn.fetch(
            sql("execution_status_asset_facts"), list({r["named_asset"] for r in runs if r["named_asset"]}))}
    for run in runs:
        run["asset_name"] = names.get(run.pop("named_asset"))
    order = {status: i for i, status in enumerate(statuses)}
    runs.sort(key=lambda r: (str(r["step_id"]), order[r["status"]], r["asset_name"] or r["workload_key"]))
    return [_record(row) for row in steps], runs


async def selectable_runs(pool: asyncpg.Pool, ref: EngagementRef, runbook_id: UUID, step_key: str | None
                          ) -> list[dict[str, Any]]:
    """The runs of a runbook an action on `step_key` (None: any step) may concern, with the facts a selection
    matches on (their asset's name, hostname, environment, os_family, business_criticality; None without one)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        runs = [_record(row) for row in await conn.fetch(sql("execution_status_selection"), runbook_id, step_key)]
        assets = {row["id"]: row for row in await conn.fetch(
            sql("execution_status_asset_facts"), list({r["asset_id"] for r in runs if r["asset_id"] is not None}))}
    for run in runs:
        asset = assets.get(run["asset_id"])
        for fact in _ASSET_FACTS:
            run["asset_name" if fact == "name" else fact] = None if asset is None else asset[fact]
    return runs


async def member_role(pool: asyncpg.Pool, ref: EngagementRef, user_id: UUID) -> str | None:
    """The person's role in the engagement (None: not a member)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetchval(sql("member_role"), ref.id, user_id)
