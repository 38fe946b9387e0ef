"""Reads what the agents advised, for people: the plan critic's findings and the strategy crew's alternatives
beside the decided strategies. Read only; the agents' own writes are `db.agents`."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from db.tenancy import EngagementRef
from domain.agent_advice import FINDINGS_SHOWN, Finding, StrategyAdvice


async def findings(conn: asyncpg.Connection, master_flow_id: UUID | None,
                   limit: int | None) -> tuple[list[Finding], int]:
    """The plan critic's findings of the master flow (None: the engagement's, which hold only its latest critique),
    most confident first, at most `limit` (None: all), and how many there are in all; within the caller's tenant
    transaction."""
    rows = await conn.fetch(sql("agent_findings"), master_flow_id, limit)
    return [Finding.from_row(r) for r in rows], (rows[0]["total"] if rows else 0)


async def plan_critic_findings(pool: asyncpg.Pool, ref: EngagementRef, master_flow_id: UUID | None = None,
                               limit: int | None = FINDINGS_SHOWN) -> tuple[list[Finding], int]:
    """`findings` in a tenant transaction of its own."""
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        return await findings(conn, master_flow_id, limit)


async def alternatives(conn: asyncpg.Connection, *, asset_id: UUID | None = None, name: str | None = None,
                       only_with_alternative: bool = False, only_differing: bool = False,
                       limit: int | None = None) -> tuple[list[StrategyAdvice], int]:
    """Assets (then applications) with their decided strategy beside the strategy crew's alternative, narrowed
    as asked, at most `limit`, and how many match in all; within the caller's tenant transaction."""
    rows = await conn.fetch(sql("agent_recommendations_list"), asset_id, name, only_with_alternative,
                            only_differing, limit)
    return [StrategyAdvice.from_row(r) for r in rows], (rows[0]["total"] if rows else 0)


async def strategy_advice(pool: asyncpg.Pool, ref: EngagementRef, subject: str | None) -> list[StrategyAdvice]:
    """The asset (id or name) or application called `subject`, every one of that name; without a subject, every
    asset and application the strategy crew gave an alternative for. Raises LookupError for a subject not found."""
    asset_id = None
    if subject is not None:
        try:
            asset_id = UUID(subject.strip())
        except ValueError:
            asset_id = None
    async with tenant_transaction(pool, ref.client_account_id, ref.id) as conn:
        advice, _ = await alternatives(conn, asset_id=asset_id, name=None if asset_id else subject,
                                       only_with_alternative=subject is None)
    if subject is not None and not advice:
        raise LookupError(f"no asset or application {subject!r} in {ref.name!r}; `assets list` lists them")
    return advice
