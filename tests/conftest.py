"""Test servers: a real PostgreSQL (TEST_DATABASE_URL, else Docker's pgvector image when a Docker engine
answers, else the embedded pgserver binaries) with fresh, bootstrapped databases per need."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from db.bootstrap import bootstrap
from db.migrator import migrate
from db.pool import create_pool
from runtime.embedded_postgres import EmbeddedPostgres

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
    name: str
    superuser_url: str
    owner_url: str
    app_url: str


@pytest.fixture(scope="session")
def pg_superuser_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A superuser URL of a PostgreSQL 16 server with pgvector, for the whole test session."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    if _docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("pgvector/pgvector:pg16", driver=None) as container:
            yield container.get_connection_url()
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("embedded-pg"), free_port())
    server.ensure_running()
    try:
        yield server.superuser_url()
    finally:
        server.stop()


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
