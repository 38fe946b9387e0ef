"""Loads what the master workflow validates approvals against: members, roles, approval policy."""

from __future__ import annotations

import asyncpg
from temporalio import activity

from activities.errors import bad_input
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import stored_reminder_interval
from domain.flow_contracts import ApprovalPolicy, EngagementContext, Tenant


class EngagementActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="load_engagement_context")
    async def load_engagement_context(self, tenant: Tenant) -> EngagementContext:
        async with tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id) as conn:
            row = await conn.fetchrow(sql("engagement_context"), tenant.engagement_id)
        if row is None:
            raise bad_input(f"engagement {tenant.engagement_id} does not exist for client {tenant.client_account_id}")
        policy = row["approval_policy"] or {}
        reminder, problem = stored_reminder_interval(policy.get("reminder_interval_seconds"))
        if problem:  # written before the bounds, or by hand: held within them rather than crash or spin the flow
            activity.logger.warning("engagement %s: %s", tenant.engagement_id, problem)
        return EngagementContext(
            name=row["name"],
            member_roles=row["member_roles"],
            approval_policy=ApprovalPolicy(auto_approve=tuple(policy.get("auto_approve", ())), reminder_interval=reminder),
        )
