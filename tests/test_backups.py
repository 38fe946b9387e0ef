"""`ops backup` / `ops restore` against real servers: a database with two tenants whose engagements ran through
every phase on the Temporal dev server is backed up whole and per client, restored into a FRESH PostgreSQL started
from the embedded binaries in a folder of its own, and compared table by table and tenant by tenant (row counts
and an md5 of each table's rows in order). Bad usage answers in one line."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from db.pool import create_pool
from db.queries import sql
from domain.vocabulary import PHASES
from runtime import engagement_control as control
from runtime.embedded_postgres import EmbeddedPostgres
from tests.conftest import (
    APP_PASSWORD,
    OWNER_PASSWORD,
    TestDatabase,
    create_test_database,
    free_port,
    make_engagement,
)
from tests.flow_helpers import inventory_file, run_starter, running_worker

HELD = "SELECT (SELECT count(*) FROM migration.client_accounts), (SELECT count(*) FROM migration.users)"
Snapshot = dict[tuple[str, str], tuple[int, str]]  # (table, tenant or "*") -> (rows, md5 of the rows in order)


async def snapshot(url: str) -> Snapshot:
    """Every table's rows (a partitioned log through its parent), per tenant where the table has one: how many,
    and an md5 of their text in primary-key order."""
    conn = await asyncpg.connect(url)
    try:
        found: Snapshot = {}
        for table in await conn.fetch(sql("backup_tables")):
            name, order = f'migration."{table["name"]}"', ", ".join(f't."{c}"' for c in table["primary_key"])
            tenant = "t.client_account_id::text" if table["tenant"] else "'*'"
            for r in await conn.fetch(f"SELECT {tenant} AS tenant, count(*) AS n, md5(string_agg(t::text, E'\\n'"
                                      f" ORDER BY {order or 't::text'})) AS digest FROM {name} t GROUP BY 1"):
                found[(table["name"], r["tenant"])] = (r["n"], r["digest"])
        return found
    finally:
        await conn.close()


def of_tenants(found: Snapshot, *tenants: str) -> Snapshot:
    return {key: value for key, value in found.items() if key[1] in tenants}


def _database_url(server_url: str, database: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{database}"))


@pytest.fixture(scope="module")
async def source(dev_env, pg_superuser_url: str, tmp_path_factory) -> AsyncIterator[tuple[TestDatabase, list[Any]]]:
    """A database of its own holding two tenants, each with an engagement run through all four phases (12 and 20
    servers of the sample inventory) by a real worker."""
    db = await create_test_database(pg_superuser_url)
    pool = await create_pool(db.app_url, max_size=10)
    folder = tmp_path_factory.mktemp("inventories")
    try:
        engagements = [await make_engagement(pool) for _ in range(2)]
        async with running_worker(dev_env.client, pool) as queue:
            for e, servers in zip(engagements, (12, 20), strict=True):
                await control.launch(dev_env.client, pool, e.ref, [inventory_file(folder, servers, seed=servers)],
                                     queue, auto_approve=PHASES, launched_by=e.owner_id)
            for e in engagements:
                await asyncio.wait_for(control.handle(dev_env.client, e.ref).result(), 300)
        yield db, engagements
    finally:
        await pool.close()


@pytest.fixture
async def fresh_server() -> AsyncIterator[EmbeddedPostgres]:
    """A new PostgreSQL cluster from the embedded binaries, in a folder of its own, on a free port."""
    root = Path(tempfile.mkdtemp(prefix="migration-test-restore-"))
    server = EmbeddedPostgres(root / "pg", free_port())
    server.ensure_running()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _env(tmp_path: Path, superuser_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    return env | {"DATABASE_SUPERUSER_URL": superuser_url, "MIGRATION_DATA_DIR": str(tmp_path / "data"),
                  "MIGRATION_OWNER_PASSWORD": OWNER_PASSWORD, "MIGRATION_APP_PASSWORD": APP_PASSWORD,
                  "LOG_LEVEL": "WARNING"}


async def _ok(env: dict[str, str], *args: str) -> str:
    code, out, err = await run_starter(env, *args)
    assert code == 0, err
    return out


async def _refused(env: dict[str, str], *args: str) -> str:
    """The one line a refused command writes."""
    code, out, err = await run_starter(env, *args)
    assert code != 0 and out == "", (code, out, err)
    assert err.count("\n") == 1, err
    return err.strip()


def _show(found: Snapshot, tenants: list[str]) -> None:
    for tenant in tenants:
        counts = {t: n for (t, who), (n, _) in sorted(found.items()) if who == tenant and n}
        print(f"tenant {tenant[:8]}: {sum(counts.values())} rows in {len(counts)} tables: {counts}")


async def test_the_whole_database_restores_into_a_fresh_server(source, fresh_server: EmbeddedPostgres,
                                                               tmp_path: Path) -> None:
    db, engagements = source
    tenants = [str(e.ref.client_account_id) for e in engagements]
    dump = tmp_path / "platform.dump"
    said = await _ok(_env(tmp_path, db.superuser_url), "ops", "backup", "--out", str(dump))
    assert "the whole database written to" in said and dump.stat().st_mode & 0o077 == 0

    target = _database_url(fresh_server.superuser_url(), "migration")
    bootstrap_env = _env(tmp_path, fresh_server.superuser_url())
    await _ok(bootstrap_env, "db", "bootstrap", "--database", "migration")
    said = await _ok(_env(tmp_path, target), "ops", "restore", str(dump))
    assert "database restored from" in said and "2 client accounts" in said

    before, after = await snapshot(db.superuser_url), await snapshot(target)
    _show(before, tenants)
    assert after == before
    for tenant in tenants:  # real engagement data in every layer, for both tenants
        for table in ("assets", "asset_dependencies", "raw_import_records", "import_file_chunks", "migration_waves",
                      "flow_transitions", "phase_approvals", "security_audit_logs", "step_runs"):
            assert before.get((table, tenant), (0, ""))[0] > 0, (table, tenant)
    app = await asyncpg.connect(f"postgresql://migration_app:{APP_PASSWORD}@127.0.0.1:{fresh_server.port}/migration")
    try:  # the application role works there, under row-level security
        assert await app.fetchval("SELECT count(*) FROM migration.assets") == 0  # no tenant context: no rows
    finally:
        await app.close()

    said = await _refused(_env(tmp_path, target), "ops", "restore", str(dump))
    assert said.startswith("error: the target database holds 2 client accounts") and "--clean" in said
    await _ok(_env(tmp_path, target), "ops", "restore", str(dump), "--clean")
    assert await snapshot(target) == before


async def test_one_client_restores_alone_then_beside_another(source, fresh_server: EmbeddedPostgres,
                                                            tmp_path: Path) -> None:
    db, engagements = source
    first, second = (str(e.ref.client_account_id) for e in engagements)
    files = {tenant: tmp_path / f"{tenant}.tgz" for tenant in (first, second)}
    for tenant, file in files.items():
        said = await _ok(_env(tmp_path, db.superuser_url), "ops", "backup", "--client", tenant, "--out", str(file))
        assert f"written to {file}" in said and file.stat().st_mode & 0o077 == 0
    before = await snapshot(db.superuser_url)

    target = await create_test_database(fresh_server.superuser_url())  # bootstrapped and migrated, empty
    env = _env(tmp_path, target.superuser_url)
    said = await _ok(env, "ops", "restore", str(files[first]))
    assert f"({first}) restored" in said
    after = await snapshot(target.superuser_url)
    assert of_tenants(after, first) == of_tenants(before, first)  # audit rows included: none added by the restore
    assert of_tenants(after, second) == {}
    people = {r["id"] for r in await _fetch(target.superuser_url, "SELECT id FROM migration.users")}
    members = {r["user_id"] for r in await _fetch(db.superuser_url, "SELECT user_id FROM migration.engagement_members"
                                                  " WHERE client_account_id = $1", uuid.UUID(first))}
    assert members and members <= people

    said = await _ok(env, "ops", "restore", str(files[second]))  # into a server that lacks that client
    after = await snapshot(target.superuser_url)
    assert of_tenants(after, first, second) == of_tenants(before, first, second)

    said = await _refused(env, "ops", "restore", str(files[first]))
    assert "already exists in this database" in said
    assert of_tenants(await snapshot(target.superuser_url), first, second) == of_tenants(before, first, second)


def _alter(original: Path, altered: Path, member: str) -> None:
    """A copy of a client backup whose `member` has one byte changed (its manifest left as it was)."""
    with tarfile.open(original, "r:gz") as source, tarfile.open(altered, "w:gz") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == member:
                data = data.replace(b"web", b"wob", 1) if b"web" in data else data[:-2] + b"x\n"
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))


async def _fetch(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def test_bad_backups_and_targets_are_refused_in_one_line(source, fresh_server: EmbeddedPostgres,
                                                              tmp_path: Path) -> None:
    db, engagements = source
    tenant = str(engagements[0].ref.client_account_id)
    env = _env(tmp_path, db.superuser_url)
    assert "no client account 'no such client'" in await _refused(
        env, "ops", "backup", "--client", "no such client", "--out", str(tmp_path / "x.tgz"))
    assert ".tgz file name" in await _refused(env, "ops", "backup", "--client", tenant, "--out",
                                               str(tmp_path / "x.dump"))
    app_env = _env(tmp_path, db.app_url)
    assert "needs a superuser or BYPASSRLS role" in await _refused(app_env, "ops", "backup", "--out",
                                                                   str(tmp_path / "x.dump"))
    dump, client = tmp_path / "all.dump", tmp_path / "one.tgz"
    await _ok(env, "ops", "backup", "--out", str(dump))
    await _ok(env, "ops", "backup", "--client", tenant, "--out", str(client))

    target = await create_test_database(fresh_server.superuser_url())
    target_env = _env(tmp_path, target.superuser_url)
    assert "no such file" in await _refused(target_env, "ops", "restore", str(tmp_path / "missing.dump"))
    for name, data in (("truncated.dump", dump.read_bytes()[: dump.stat().st_size // 2]),
                       ("truncated.tgz", client.read_bytes()[: client.stat().st_size // 2]),
                       ("garbage.tgz", os.urandom(4096))):
        (tmp_path / name).write_bytes(data)
        said = await _refused(target_env, "ops", "restore", str(tmp_path / name))
        assert said.endswith("; nothing was restored") or said.startswith(
            (f"error: {tmp_path / name} is not a readable client backup", "error: pg_restore failed")), said
    altered = tmp_path / "altered.tgz"
    _alter(client, altered, "data/assets.copy")
    said = await _refused(target_env, "ops", "restore", str(altered))
    assert said.endswith("data/assets.copy does not match its checksum); give a file `ops backup --client` wrote")
    assert [tuple(r) for r in await _fetch(target.superuser_url, HELD)] == [(0, 0)]  # nothing half-restored

    unmigrated = await create_test_database(fresh_server.superuser_url(), migrated=False)
    said = await _refused(_env(tmp_path, unmigrated.superuser_url), "ops", "restore", str(client))
    assert "this database's is none (not migrated)" in said
    conn = await asyncpg.connect(fresh_server.superuser_url())
    try:
        await conn.execute("CREATE DATABASE plain")
    finally:
        await conn.close()
    said = await _refused(_env(tmp_path, _database_url(fresh_server.superuser_url(), "plain")), "ops", "restore",
                          str(dump))
    assert "has no schema migration: run `db bootstrap" in said
