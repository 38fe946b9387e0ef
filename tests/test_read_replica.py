"""DATABASE_REPLICA_URL against a real streaming replica made from the embedded binaries: a primary in a folder
of its own, `pg_basebackup -R` into another, the standby started on a free port. The read commands' queries
reach the standby (its `pg_stat_database.xact_commit` grows by them); a write command never opens a connection
there and lands on the primary; a replica that does not answer is refused in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from db.pool import create_pool, tenant_transaction
from runtime.embedded_postgres import EmbeddedPostgres, postgres_bin_dir
from tests.conftest import TestDatabase, create_test_database, free_port, give_login, make_engagement
from tests.flow_helpers import eventually, run_starter

REPLICATION_PASSWORD = "replication-test-password"
ASSETS = [("web-01", "rehost"), ("db-01", "replatform"), ("old-01", "retire")]


@dataclass(frozen=True)
class Replicated:
    db: TestDatabase  # on the primary
    replica_app_url: str  # the same database and role on the standby
    standby_superuser_url: str
    primary_superuser_url: str


def _chown_tree(path: Path, like: Path) -> None:
    """Give `path` and everything under it to the owner of `like` (the service user PostgreSQL runs as)."""
    owner = like.stat()
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.chown(name, owner.st_uid, owner.st_gid)


async def _replayed(primary_url: str, standby_url: str) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    conn = await asyncpg.connect(primary_url)
    try:
        target = await conn.fetchval("SELECT pg_current_wal_lsn()")
    finally:
        await conn.close()

    async def caught_up() -> bool:
        standby = await asyncpg.connect(standby_url)
        try:
            return await standby.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target)
        finally:
            await standby.close()

    await eventually(caught_up, "the standby replays the primary's WAL", timeout=60)


@pytest.fixture(scope="module")
async def replicated() -> AsyncIterator[Replicated]:
    """A primary with a migrated database holding one engagement's portfolio, and its streaming standby."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="migration-test-replica-"))
    primary = EmbeddedPostgres(root / "primary", free_port())
    standby = EmbeddedPostgres(root / "standby", free_port())
    primary.ensure_running()
    try:
        db = await create_test_database(primary.superuser_url())
        conn = await asyncpg.connect(primary.superuser_url())
        try:  # initdb's pg_hba.conf lets 127.0.0.1 replicate with a password
            await conn.execute(f"CREATE ROLE replicator REPLICATION LOGIN PASSWORD '{REPLICATION_PASSWORD}'")
        finally:
            await conn.close()
        standby.root.mkdir()
        subprocess.run([str(postgres_bin_dir() / "pg_basebackup"), "-D", str(standby.pgdata), "-R", "-X", "stream",
                        "-c", "fast", "-d", f"postgresql://replicator:{REPLICATION_PASSWORD}@127.0.0.1:{primary.port}/"],
                       check=True, capture_output=True, timeout=120)
        standby.pgdata.chmod(0o700)
        _chown_tree(standby.root, primary.root)
        shutil.copy(primary.password_file, standby.password_file)
        standby.ensure_running()
        try:
            yield Replicated(db, db.app_url.replace(f":{primary.port}/", f":{standby.port}/"),
                             standby.superuser_url(db.name), db.superuser_url)
        finally:
            standby.stop()
    finally:
        primary.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Seeded:
    env: dict[str, str]
    client_id: str
    engagement: str


@pytest.fixture(scope="module")
async def seeded(replicated: Replicated, tmp_path_factory) -> Seeded:
    """A CLI environment (an administrator's own login; primary and replica URLs) and an engagement with a
    portfolio, replayed on the standby."""
    pool = await create_pool(replicated.db.app_url, max_size=2)
    try:
        e = await make_engagement(pool)
        async with tenant_transaction(pool, e.ref.client_account_id, e.ref.id) as conn:
            tenant = (e.ref.client_account_id, e.ref.id)
            wave = await conn.fetchval(
                "INSERT INTO migration.migration_waves (client_account_id, engagement_id, wave_number, name, kind,"
                " status, planned_start, planned_end, asset_count) VALUES ($1, $2, 1, 'Wave 1', 'production',"
                " 'scheduled', DATE '2027-01-04', DATE '2027-01-17', $3) RETURNING id", *tenant, len(ASSETS))
            for name, strategy in ASSETS:
                asset = await conn.fetchval(
                    "INSERT INTO migration.assets (client_account_id, engagement_id, name, asset_type, environment,"
                    " six_r_strategy, wave_number, move_group) VALUES ($1, $2, $3, 'server', 'production', $4, 1,"
                    " 'MG-0001') RETURNING id", *tenant, name, strategy)
                await conn.execute("INSERT INTO migration.migration_wave_assets (client_account_id, engagement_id,"
                                   " wave_id, asset_id, move_group) VALUES ($1, $2, $3, $4, 'MG-0001')",
                                   *tenant, wave, asset)
    finally:
        await pool.close()
    login = await give_login(replicated.db, e.owner_id, admin=True)  # the engagement's owner, an administrator
    await _replayed(replicated.primary_superuser_url, replicated.standby_superuser_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEMPORAL_", "MIGRATION_", "PG"))}
    env.update(DATABASE_URL=replicated.db.app_url, DATABASE_REPLICA_URL=replicated.replica_app_url,
               TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}", LOG_LEVEL="WARNING",
               MIGRATION_DATA_DIR=str(tmp_path_factory.mktemp("replica-cli") / "data"), **login)
    return Seeded(env, str(e.ref.client_account_id), str(e.ref.id))


async def _standby_reads(replicated: Replicated) -> tuple[int, int]:
    """(sessions, committed transactions) the standby counted in the platform's database, read from its
    `postgres` database so the probe itself is not counted."""
    conn = await asyncpg.connect(replicated.standby_superuser_url.rsplit("/", 1)[0] + "/postgres")
    try:
        row = await conn.fetchrow("SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = $1",
                                  replicated.db.name)
        return row["sessions"], row["xact_commit"]
    finally:
        await conn.close()


async def _after(replicated: Replicated, before: tuple[int, int]) -> tuple[int, int]:
    """The standby's counters once they have moved past `before` (a backend reports them when it ends)."""
    return await eventually(lambda: _moved(replicated, before), "the standby counts the command's reads")


async def _moved(replicated: Replicated, before: tuple[int, int]) -> tuple[int, int] | None:
    now = await _standby_reads(replicated)
    return now if now[0] > before[0] and now[1] > before[1] else None


READ_COMMANDS = [
    ("tenant", "list", "--json"),
    ("engagement", "list", "{client}", "--json"),
    ("assets", "list", "{engagement}", "--json"),
    ("assets", "show", "{engagement}", "web-01", "--json"),
    ("plan", "export", "{engagement}", "--out", "{out}/plan.csv"),
    ("report", "{engagement}", "--out", "{out}/report"),
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
async def test_each_read_command_reads_on_the_standby(replicated: Replicated, seeded: Seeded, command, tmp_path
                                                      ) -> None:
    args = [a.format(client=seeded.client_id, engagement=seeded.engagement, out=tmp_path) for a in command]
    before = await _standby_reads(replicated)
    code, out, err = await run_starter(seeded.env, *args)
    assert code == 0, err
    sessions, commits = await _after(replicated, before)
    print(f"{' '.join(command[:2])}: {sessions - before[0]} session(s), {commits - before[1]} transactions on the "
          "standby")


async def test_reads_follow_the_standby_and_writes_land_on_the_primary(replicated: Replicated, seeded: Seeded
                                                                       ) -> None:
    """With the standby's replay paused, a client created through the CLI is on the primary at once and not in the
    listing (read on the standby) until replay resumes: the listing reads the replica, the write the primary."""
    standby = await asyncpg.connect(replicated.standby_superuser_url)
    try:
        await standby.execute("SELECT pg_wal_replay_pause()")
        code, out, err = await run_starter(seeded.env, "tenant", "create", "Replica Lag Ltd", "--json")
        assert code == 0, err
        created = json.loads(out)["id"]
        primary = await asyncpg.connect(replicated.primary_superuser_url)
        try:
            assert await primary.fetchval("SELECT name FROM migration.client_accounts WHERE id = $1",
                                          created) == "Replica Lag Ltd"
        finally:
            await primary.close()
        code, out, err = await run_starter(seeded.env, "tenant", "list", "--json")
        assert code == 0, err
        assert created not in {c["id"] for c in json.loads(out)}  # the standby has not replayed it yet
        await standby.execute("SELECT pg_wal_replay_resume()")
    finally:
        await standby.close()
    await _replayed(replicated.primary_superuser_url, replicated.standby_superuser_url)
    code, out, err = await run_starter(seeded.env, "tenant", "list", "--json")
    assert created in {c["id"] for c in json.loads(out)}


async def test_a_write_command_never_connects_to_the_replica(replicated: Replicated, seeded: Seeded) -> None:
    """With a replica URL where nobody listens, a write succeeds (it never connects there) while a read is refused
    in one line naming DATABASE_REPLICA_URL."""
    nobody = replicated.replica_app_url.replace(replicated.replica_app_url.split("@")[1].split("/")[0],
                                                f"127.0.0.1:{free_port()}")
    env = {**seeded.env, "DATABASE_REPLICA_URL": nobody}
    code, out, err = await run_starter(env, "engagement", "create", seeded.client_id, "written on the primary")
    assert code == 0, err
    code, out, err = await run_starter(env, "engagement", "list", seeded.client_id)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "cannot connect to PostgreSQL at 127.0.0.1:" in err, err
    assert "(DATABASE_REPLICA_URL): connection refused" in err and "app-test-password" not in err


async def test_the_standby_refuses_writes(replicated: Replicated) -> None:
    """What a write sent there by mistake would meet: the standby is read-only."""
    conn = await asyncpg.connect(replicated.replica_app_url)
    try:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await conn.execute("CREATE TEMP TABLE t (x int)")
    finally:
        await conn.close()
