"""asyncpg connections: JSONB and pgvector codecs, and transactions carrying the tenant context."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg
from pgvector.asyncpg import register_vector

from db.queries import sql


def _jsonb_encode(value: object) -> bytes:
    return b"\x01" + json.dumps(value).encode()


def _jsonb_decode(data: bytes) -> object:
    return json.loads(data[1:])


async def init_connection(conn: asyncpg.Connection) -> None:
    """JSON/JSONB as Python objects and pgvector's `vector` type on every connection."""
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    # Binary jsonb (a version byte, then the text) so COPY, which is binary-only, can carry it too.
    await conn.set_type_codec(
        "jsonb", encoder=_jsonb_encode, decoder=_jsonb_decode, schema="pg_catalog", format="binary"
    )
    if await conn.fetchval(sql("vector_type_exists")):
        await register_vector(conn)


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=init_connection)


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    return conn


def _text(value: UUID | str | None) -> str | None:
    return None if value is None else str(value)


@asynccontextmanager
async def tenant_transaction(
    pool: asyncpg.Pool,
    client_id: UUID | str,
    engagement_id: UUID | str | None = None,
    user_id: UUID | str | None = None,
) -> AsyncIterator[asyncpg.Connection]:
    """Open a transaction whose first statement sets the tenant context for row-level security.

    The settings are transaction-local (`set_config(..., true)`), so a pooled connection never
    carries one tenant's context into another's transaction.
    """
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(sql("set_tenant_context"), _text(client_id), _text(engagement_id), _text(user_id))
        yield conn
