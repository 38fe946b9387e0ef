"""What the workflows check people's decisions against: members, roles, approval policy, and the person
requests (schema 0024) a decision must name before it is applied."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from temporalio import activity

from activities.errors import bad_input
from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import stored_reminder_interval
from domain.flow_contracts import ApprovalPolicy, EngagementContext, RequestCheck, Tenant, VerifiedRequest
from domain.vocabulary import REQUEST_ROLES

# A recorded request older than this is not acted on: the person asks again (a request id seen in a workflow
# history cannot be replayed days later).
REQUEST_MAX_AGE = timedelta(minutes=15)


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

    @activity.defn(name="verify_person_request")
    async def verify_person_request(self, check: RequestCheck) -> VerifiedRequest:
        """The request as recorded, if the database confirms it (see `verified_in`); claimed for
        `check.claimant`. Otherwise a refusal (non-retryable) saying why."""
        tenant = check.tenant
        async with tenant_transaction(self._pool, tenant.client_account_id, tenant.engagement_id) as conn:
            return await verified_in(conn, check)


async def verified_in(conn: asyncpg.Connection, check: RequestCheck) -> VerifiedRequest:
    """The request as recorded, if it asks exactly this of this engagement, its person's role allows it now,
    it is recent, and no other workflow run acted on it; it is then claimed for `check.claimant` in the
    connection's transaction (so what acts on it commits with the claim). Otherwise a refusal saying why."""
    asked = ("review mappings" if check.kind == "mapping_review" else check.kind.replace("_", " ")) + (
        f" {check.phase}" if check.phase else "")
    row = await conn.fetchrow(sql("person_request_check"), check.request_id)
    if row is None:
        raise bad_input(f"no recorded request {check.request_id} to {asked} in this engagement")
    if (row["kind"], row["phase"]) != (check.kind, check.phase):
        raise bad_input(f"request {check.request_id} asks to {row['kind']} {row['phase'] or ''}, "
                        f"not to {asked}")
    if row["used_by"] not in (None, check.claimant):
        raise bad_input(f"the request to {asked} has been acted on already; ask again")
    if row["requested_by"] is None:
        if check.kind != "launch":  # only the service itself launches without a person
            raise bad_input(f"the request to {asked} names no person")
    elif row["role"] not in REQUEST_ROLES[check.kind]:
        held = f"role {row['role']}" if row["role"] else "no membership"
        raise bad_input(f"the person who asked to {asked} has {held} in this engagement, which may not")
    if not timedelta(minutes=-1) <= row["age"] <= REQUEST_MAX_AGE:
        raise bad_input(f"the request to {asked} is older than "
                        f"{REQUEST_MAX_AGE.total_seconds() / 60:.0f} minutes; ask again")
    await conn.execute(sql("person_request_claim"), check.request_id, check.claimant)
    return VerifiedRequest(person=row["requested_by"], payload=row["payload"] or {}, role=row["role"])
