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
    most `runs_per_step` of each step; None: all)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        steps = await conn.fetch(sql("execution_status_steps"), runbook_id)
        runs = await conn.fetch(sql("execution_status_runs"), runbook_id, list(statuses), runs_per_step)
    return [_record(row) for row in steps], [_record(row) for row in runs]


async def selectable_runs(pool: asyncpg.Pool, ref: EngagementRef, runbook_id: UUID, step_key: str | None
                          ) -> list[dict[str, Any]]:
    """The runs of a runbook an action on `step_key` (None: any step) may concern, with the facts a selection
    matches on."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return [_record(row) for row in await conn.fetch(sql("execution_status_selection"), runbook_id, step_key)]


async def member_role(pool: asyncpg.Pool, ref: EngagementRef, user_id: UUID) -> str | None:
    """The person's role in the engagement (None: not a member)."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await conn.fetchval(sql("member_role"), ref.id, user_id)
