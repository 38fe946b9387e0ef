"""Rewrite assets in batches: facts out, pure rules in a thread, one set-based UPDATE back.

Each batch is one transaction and a heartbeat carrying the last asset id, so a retried activity
resumes after the last committed batch instead of starting over. Rules are pure functions of the
facts, so a batch that is recomputed yields the same values: the rewrite is idempotent. Each batch's
update is audited as one rule-rewrite event naming the step, its workflow run and the rows (ADR-0024).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import asyncpg
from temporalio import activity

from activities.heartbeat import progress, resume_details
from db.pool import tenant_transaction
from db.queries import sql
from domain.flow_contracts import Tenant

_FIRST_ID = UUID(int=0)
Compute = Callable[[list[asyncpg.Record]], Iterable[tuple[UUID, dict[str, Any]]]]


def jsonable(value: Any) -> Any:
    """Values safe for a JSONB column (dates and decimals as text/numbers)."""
    return json.loads(json.dumps(value, default=str))


async def rewrite_assets(
    pool: asyncpg.Pool, tenant: Tenant, compute: Compute, update_query: str, *params: Any, batch_size: int = 5000
) -> int:
    """Run `compute` over every asset of the engagement and apply its values with `update_query`
    (which reads the temp table staging_asset_values and takes `params`)."""
    info = activity.info()
    rewrite = {"step": info.activity_type, "workflow_id": info.workflow_id, "run_id": info.workflow_run_id}
    details = resume_details()
    last_id = UUID(details[0]) if details else _FIRST_ID
    done = int(details[1]) if len(details) > 1 else 0
    while True:
        async with tenant_transaction(pool, tenant.client_account_id, tenant.engagement_id) as conn:
            rows = await conn.fetch(sql("assets_facts_batch"), last_id, batch_size)
            if not rows:
                return done
            values = await asyncio.to_thread(lambda: [(asset_id, jsonable(v)) for asset_id, v in compute(rows)])
            await conn.execute(sql("staging_asset_values_create"))
            await conn.copy_records_to_table("staging_asset_values", records=values, columns=["asset_id", "v"])
            await conn.execute(sql("audit_rule_rewrite"), rewrite)
            await conn.execute(sql(update_query), *params)
        last_id = rows[-1]["id"]
        done += len(rows)
        progress(str(last_id), done)
