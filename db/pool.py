"""asyncpg connections: JSONB and pgvector codecs, and transactions carrying the tenant context."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import SplitResult, unquote, unquote_plus, urlsplit, urlunsplit
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


MASK = "***"
# Query parameters libpq and asyncpg read a secret from.
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
# One `host[:port]` entry of a netloc's host list: a name or address, or a bracketed IPv6 address.
_HOST_ENTRY = re.compile(r"(?:\[[\w:.%]*\]|[^:@\[\]]*)(?::\d*)?")
INVALID_URL = "is not a valid URL (percent-encode special characters such as / @ : in the password)"


def _split(url: str) -> SplitResult | None:
    """The URL's parts, or None when it cannot be read as one: a password holding an unencoded `/`, `?`, `#`
    or `@` ends the netloc early, which leaves a port that is no number or an `@` after the netloc."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if "@" in parts.path + parts.query + parts.fragment:
        return None
    hosts = parts.netloc.rpartition("@")[2]
    if not all(_HOST_ENTRY.fullmatch(entry) for entry in hosts.split(",")):
        return None
    return parts


def _is_secret_parameter(field: str) -> bool:
    return unquote_plus(field.partition("=")[0]).lower() in _SECRET_PARAMETERS


def _secrets(parts: SplitResult) -> list[str]:
    """The password and the values of secret query parameters, as written and decoded, longest first."""
    found = {parts.password or "", unquote(parts.password or "")}
    for field in parts.query.split("&"):
        if _is_secret_parameter(field):
            value = field.partition("=")[2]
            found |= {value, unquote_plus(value)}
    return sorted(filter(None, found), key=len, reverse=True)


def redact_url(url: str) -> str:
    """The connection URL to print: its password and any `password`/`sslpassword` parameter replaced by ***;
    a URL that cannot be read is not shown at all (which part of it is the password cannot be told)."""
    parts = _split(url)
    if parts is None:
        return f"(not shown: it {INVALID_URL})"
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if parts.password:
        userinfo = f"{userinfo.partition(':')[0]}:{MASK}"
    query = "&".join(f"{field.partition('=')[0]}={MASK}" if _is_secret_parameter(field) else field
                     for field in parts.query.split("&"))
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{hosts}", query=query))


def _server(parts: SplitResult) -> str:
    """The host:port part of a URL, as written (no credentials)."""
    return parts.netloc.rpartition("@")[2] or "localhost"


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
    """One line: the server, where its URL comes from, and why the connection failed; never the password.

    A URL that cannot be read is said to be one, without any of its text or the library's message (either
    may hold part of the password)."""
    parts = _split(dsn)
    if parts is None:
        return f"{origin or 'the connection URL'} {INVALID_URL}"
    source = f" ({origin})" if origin else ""
    message = f"cannot connect to PostgreSQL at {_server(parts)}{source}: {_failure_reason(exc)}"
    for secret in _secrets(parts):
        message = message.replace(secret, MASK)
    return message


@contextmanager
def connecting(dsn: str, origin: str | None, login_hint: str | None = None) -> Iterator[None]:
    """Turn a failure to connect with `dsn` into a DatabaseConnectError naming `origin` (say `DATABASE_URL`), and
    when the login was refused, `login_hint` (where the login comes from)."""
    try:
        yield
    except _CONNECT_ERRORS as exc:
        message = _connect_failure_message(dsn, origin, exc)
        if login_hint and isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
            message += f"; {login_hint}"
        # Not chained: the library's exception may quote the URL, password and all.
        raise DatabaseConnectError(message) from None


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10, origin: str | None = None,
                      login_hint: str | None = None, **connect_options: object) -> asyncpg.Pool:
    """A pool with the codecs on every connection; `origin` names where `dsn` comes from if it cannot connect,
    `login_hint` where its login does if that is refused. `connect_options` go to asyncpg's connect (user,
    passfile)."""
    with connecting(dsn, origin, login_hint):
        return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=init_connection,
                                         **connect_options)


def without_credentials(url: str) -> str:
    """The URL's server and database only: user, password and secret parameters removed, so that a person's
    connection takes their own login from the libpq environment (PGUSER, PGPASSWORD, PGPASSFILE or ~/.pgpass,
    PGSERVICE), never the service role's."""
    parts = _split(url)
    if parts is None:
        raise DatabaseConnectError(f"DATABASE_URL {INVALID_URL}")
    query = "&".join(field for field in parts.query.split("&")
                     if field and not _is_secret_parameter(field)
                     and unquote_plus(field.partition("=")[0]).lower() != "user")
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2], query=query))


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
