"""Archiving engagements: a completed engagement becomes read-only and leaves the listings until restored.

The database enforces it (schema 0031): an archived engagement's row changes only by its restore, launches,
uploads and membership changes in its context are refused, and only people who manage it archive or restore it.
The audit trigger of engagements records each archive and restore.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef, TenancyError

ONLY_MANAGERS = "only the engagement's owners and client administrators archive or restore it"


async def archive_engagement(pool: asyncpg.Pool, engagement: EngagementRef, at: datetime,
                             completed_before: datetime, *, explain: bool = False) -> bool:
    """Archive the engagement at `at` if its newest master flow completed at or before `completed_before`;
    whether it was. With `explain`, one that is not archived raises TenancyError saying why."""
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        if await conn.fetchval(sql("engagement_archive"), at, completed_before) is not None:
            return True
        if not explain:
            return False
        state = await conn.fetchrow(sql("engagement_archive_state"))
    if state is None:
        raise TenancyError(f"no engagement {engagement.name!r}")
    if state["status"] == "archived":
        raise TenancyError(f"engagement {engagement.name!r} is already archived")
    if state["flow_status"] != "completed":
        flow = "never launched" if state["flow_status"] is None else f"its flow is {state['flow_status']}"
        raise TenancyError(f"engagement {engagement.name!r} is not completed ({flow}): only a completed engagement "
                           "is archived")
    raise TenancyError(ONLY_MANAGERS)


async def unarchive_engagement(pool: asyncpg.Pool, engagement: EngagementRef) -> None:
    """Restore an archived engagement (to 'completed', as it was when archived)."""
    async with tenant_transaction(pool, engagement.client_account_id, engagement.id) as conn:
        if await conn.fetchval(sql("engagement_unarchive")) is not None:
            return
        state = await conn.fetchrow(sql("engagement_archive_state"))
    if state is None or state["status"] != "archived":
        raise TenancyError(f"engagement {engagement.name!r} is not archived")
    raise TenancyError(ONLY_MANAGERS)
