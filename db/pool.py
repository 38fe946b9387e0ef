"""asyncpg connections: JSONB and pgvector codecs, and transactions carrying the tenant context."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import urlsplit
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


class DatabaseConnectError(RuntimeError):
    """A connection URL leads to no database to work in: no server answers, the host is unknown, the login is
    refused or the database does not exist. The message names the server and where its URL comes from."""


# What a failed connection attempt raises: the network's errors, the server's refusals, and a URL asyncpg
# cannot use (ClientConfigurationError is a ValueError; a port out of range an OverflowError).
_CONNECT_ERRORS = (
    OSError,
    ValueError,
    OverflowError,
    asyncpg.InvalidAuthorizationSpecificationError,  # unknown role, wrong password, refused by pg_hba
    asyncpg.InvalidCatalogNameError,  # no such database
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.TooManyConnectionsError,
    asyncpg.PostgresConnectionError,
    asyncpg.ConnectionDoesNotExistError,  # closed during the handshake
)


def redact_url(url: str) -> str:
    """Hide the password in a connection URL before printing it."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def _server(dsn: str) -> str:
    """The host:port part of a URL, as written (no credentials)."""
    netloc = dsn.partition("://")[2].partition("/")[0].partition("?")[0]
    return netloc.rpartition("@")[2] or "localhost"


def _failure_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (no server listens there)"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror})"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _connect_failure_message(dsn: str, origin: str | None, exc: BaseException) -> str:
    """One line: the server, where its URL comes from, and why the connection failed; never the password."""
    source = f" ({origin})" if origin else ""
    message = f"cannot connect to PostgreSQL at {_server(dsn)}{source}: {_failure_reason(exc)}"
    try:
        password = urlsplit(dsn).password
    except ValueError:
        password = None
    return message.replace(password, "***") if password else message


@contextmanager
def connecting(dsn: str, origin: str | None) -> Iterator[None]:
    """Turn a failure to connect with `dsn` into a DatabaseConnectError naming `origin` (say `DATABASE_URL`)."""
    try:
        yield
    except _CONNECT_ERRORS as exc:
        raise DatabaseConnectError(_connect_failure_message(dsn, origin, exc)) from exc


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10, origin: str | None = None) -> asyncpg.Pool:
    """A pool with the codecs on every connection; `origin` names where `dsn` comes from if it cannot connect."""
    with connecting(dsn, origin):
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
