"""The platform behind pgbouncer in transaction mode, with ONE server connection for every client.

The tenant context is transaction-local, so two tenants taking turns on the same server connection never see
each other's rows or context. asyncpg's named prepared statements do not survive transaction pooling on a
pgbouncer before 1.21 (Debian 12 ships 1.18): with statement_cache_size=0 (MIGRATION_DB_STATEMENT_CACHE_SIZE=0,
what the worker's and the CLI's pools take) none is named, and the platform's work, a whole engagement included,
runs through it.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

import runtime.engagement_control as control
from db.pool import create_pool, tenant_transaction
from domain.vocabulary import PHASES
from tests.conftest import (
    APP_PASSWORD,
    TestDatabase,
    create_test_database,
    free_port,
    insert_raw_tenant,
    make_engagement,
)
from tests.flow_helpers import fetchval, inventory_file, running_worker

pytestmark = pytest.mark.skipif(
    shutil.which("pgbouncer") is None,
    reason="pgbouncer is not installed (`apt-get install pgbouncer`, as .ci/run does)",
)

# pgbouncer refuses to run as root; Debian's pgbouncer package runs it as this user.
BOUNCER_USER = "postgres"
OTHER_CONTEXT = "SELECT current_setting('app.client_id', true)"
TWO_CONNECTIONS = "_two"  # the same database through a pool of two server connections


async def _app_role_secret(db: TestDatabase) -> str:
    """migration_app's SCRAM secret: pgbouncer checks the client's password with it and logs in with it."""
    conn = await asyncpg.connect(db.superuser_url)
    try:
        return await conn.fetchval("SELECT rolpassword FROM pg_authid WHERE rolname = 'migration_app'")
    finally:
        await conn.close()


def _configure(folder: Path, db: TestDatabase, port: int, secret: str) -> Path:
    server = urlsplit(db.superuser_url)
    (folder / "userlist.txt").write_text(f'"migration_app" "{secret}"\n')
    config = folder / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"{db.name} = host={server.hostname or '127.0.0.1'} port={server.port or 5432} dbname={db.name}\n"
        f"{db.name}{TWO_CONNECTIONS} = host={server.hostname or '127.0.0.1'} port={server.port or 5432} "
        f"dbname={db.name} pool_size=2\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = scram-sha-256\n"
        f"auth_file = {folder / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        "default_pool_size = 1\n"
        "min_pool_size = 0\n"
        "reserve_pool_size = 0\n"
        "max_client_conn = 100\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
    )
    if os.geteuid() == 0:
        entry = pwd.getpwnam(BOUNCER_USER)
        folder.chmod(0o755)
        for path in (folder, *folder.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return config


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pgbouncer exited with {process.returncode}: {log.read_text() if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"pgbouncer does not listen on {port}")


@pytest.fixture(scope="module")
async def bounced_db(pg_superuser_url: str) -> TestDatabase:
    return await create_test_database(pg_superuser_url)


@pytest.fixture(scope="module")
async def bouncer_url(bounced_db: TestDatabase) -> AsyncIterator[str]:
    """The application role's URL through pgbouncer (transaction mode, one server connection)."""
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(BOUNCER_USER)
        except KeyError:
            pytest.skip(f"no user {BOUNCER_USER!r} to run pgbouncer as (Debian's pgbouncer package creates it)")
    folder = Path(tempfile.mkdtemp(prefix="migration-test-pgbouncer-"))
    port = free_port()
    config = _configure(folder, bounced_db, port, await _app_role_secret(bounced_db))
    process = subprocess.Popen(["pgbouncer", str(config)], user=BOUNCER_USER if os.geteuid() == 0 else None,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=folder)
    try:
        _wait_for_port(port, process, folder / "pgbouncer.log")
        yield f"postgresql://migration_app:{APP_PASSWORD}@127.0.0.1:{port}/{bounced_db.name}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
async def bounced_pool(bouncer_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool as the worker makes it with MIGRATION_DB_STATEMENT_CACHE_SIZE=0."""
    pool = await create_pool(bouncer_url, max_size=4, statement_cache_size=0)
    yield pool
    await pool.close()


async def test_a_tenant_writes_and_reads_its_rows_through_pgbouncer(bounced_pool: asyncpg.Pool) -> None:
    tenant = await insert_raw_tenant(bounced_pool, "bounced")
    async with tenant_transaction(bounced_pool, tenant.client_id, tenant.engagement_id) as conn:
        assert await conn.fetchval("SELECT name FROM migration.engagements WHERE id = $1",
                                   tenant.engagement_id) == "bounced"
        assert await conn.fetchval("SELECT count(*) FROM migration.client_accounts") == 1


async def test_two_tenants_taking_turns_on_one_server_connection_see_only_their_own(bouncer_url: str) -> None:
    first = await create_pool(bouncer_url, min_size=1, max_size=1, statement_cache_size=0)
    second = await create_pool(bouncer_url, min_size=1, max_size=1, statement_cache_size=0)
    try:
        a, b = await insert_raw_tenant(first, "turn-a"), await insert_raw_tenant(second, "turn-b")
        backends = set()
        for turn in range(3):
            for pool, own, other in ((first, a, b), (second, b, a)):
                async with pool.acquire() as conn:
                    # what the previous transaction on the server connection set is gone
                    assert await conn.fetchval(OTHER_CONTEXT) in (None, "")
                async with tenant_transaction(pool, own.client_id, own.engagement_id) as conn:
                    backends.add(await conn.fetchval("SELECT pg_backend_pid()"))
                    await conn.execute("INSERT INTO migration.engagements (client_account_id, name) VALUES ($1, $2)",
                                       own.client_id, f"turn {turn}")
                    seen = await conn.fetch("SELECT client_account_id FROM migration.engagements")
                    assert [r["client_account_id"] for r in seen] == [own.client_id] * (turn + 2)
                    assert await conn.fetchval("SELECT count(*) FROM migration.engagements WHERE id = $1",
                                               other.engagement_id) == 0
        assert len(backends) == 1, "both tenants' transactions ran on the one server connection"
    finally:
        await asyncio.gather(first.close(), second.close())


async def _statement_on_another_server_connection(url: str, statement_cache_size: int) -> None:
    """A statement run in a transaction on one server connection, then again after pgbouncer (last used, first
    given) hands this client the other one."""
    mine = await asyncpg.connect(url, statement_cache_size=statement_cache_size)
    other = await asyncpg.connect(url)
    try:
        mine_first, other_next = mine.transaction(), other.transaction()
        await mine_first.start()
        assert await mine.fetchval("SELECT $1::int", 1) == 1  # on server connection 1
        await other_next.start()
        await other.fetchval("SELECT 1")  # on server connection 2
        await mine_first.commit()
        await other_next.commit()  # server connection 2 is released last
        assert await mine.fetchval("SELECT $1::int", 2) == 2  # so it serves this one
    finally:
        await asyncio.gather(mine.close(), other.close())


async def test_named_prepared_statements_break_under_transaction_pooling(bouncer_url: str) -> None:
    """Why the setting exists: asyncpg's default statement cache prepares named statements on the server
    connection of the moment, and finds them missing on the next one."""
    with pytest.raises(asyncpg.InvalidSQLStatementNameError, match="prepared statement .* does not exist"):
        await _statement_on_another_server_connection(bouncer_url + TWO_CONNECTIONS, 100)
    await _statement_on_another_server_connection(bouncer_url + TWO_CONNECTIONS, 0)


async def test_an_engagement_runs_through_pgbouncer(dev_env, bounced_pool: asyncpg.Pool, tmp_path: Path) -> None:
    e = await make_engagement(bounced_pool)
    file = inventory_file(tmp_path, 30)
    async with running_worker(dev_env.client, bounced_pool) as queue:
        await control.launch(dev_env.client, bounced_pool, e.ref, [file], queue, auto_approve=PHASES,
                             launched_by=e.owner_id)
        result = await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
    assert result.status == "completed"
    assert result.phases_completed == PHASES
    assert result.asset_count == await fetchval(
        bounced_pool, e.ref, "SELECT count(*) FROM migration.assets WHERE migration_status = 'migrated'") > 0
