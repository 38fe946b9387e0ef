"""A client's own retention policy (schema 0031): days each log keeps its rows and the archive delay; NULL means
the platform default. Client administrators and platform administrators change it (row-level security says so)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from db.pool import tenant_transaction
from db.queries import sql
from domain.maintenance import POLICY_FIELDS


async def stored_policy(pool: asyncpg.Pool, client_id: UUID) -> dict[str, int | None]:
    """The client's stored values by field (None: the default)."""
    async with tenant_transaction(pool, client_id) as conn:
        row = await conn.fetchrow(sql("retention_policy_get"))
    return {field: row[field] if row else None for field in POLICY_FIELDS}


async def set_policy(pool: asyncpg.Pool, client_id: UUID, changes: dict[str, int | None]) -> dict[str, int | None]:
    """Change the given fields (None: back to the default), keep the others; the stored policy after."""
    async with tenant_transaction(pool, client_id) as conn:
        row = await conn.fetchrow(sql("retention_policy_get"))
        policy = {field: row[field] if row else None for field in POLICY_FIELDS} | changes
        await conn.execute(sql("retention_policy_put"), *(policy[field] for field in POLICY_FIELDS))
    return policy
