"""The embedded PostgreSQL across releases: a data directory the previous release made (pgserver 0.1.4's
PostgreSQL 16.2 with pgvector 0.6.2) starts with today's binaries, its data intact and pgvector updated; one of
another major version is refused in one line that says how to move its data."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

import runtime.embedded_postgres as embedded
from db.migrator import MigrationError
from db.pool import tenant_transaction
from runtime.devstack import embedded_postgres, ensure_database
from runtime.settings import Settings
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
VECTOR_VERSION = "SELECT extversion FROM pg_extension WHERE extname = 'vector'"


def settings_for(stack_root: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("DATABASE_URL", "DATABASE_OWNER_URL", "TEMPORAL_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MIGRATION_DATA_DIR", str(stack_root / "data"))
    monkeypatch.setenv("MIGRATION_PG_PORT", str(free_port()))
    return Settings()


def previous_release_binaries() -> Path:
    """The PostgreSQL 16.2 programs of pgserver 0.1.4, which the previous release ran."""
    spec = importlib.util.find_spec("pgserver")  # found, not imported: no release depends on it any more
    if spec is None or spec.origin is None:
        pytest.skip("pgserver 0.1.4 (the previous release's PostgreSQL 16.2) is not installed here")
    return Path(spec.origin).parent / "pginstall" / "bin"


def version_of(bin_dir: Path) -> str:
    return subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, text=True,
                          check=True).stdout.split()[-1]


async def test_a_data_directory_of_the_previous_release_keeps_working(
    stack_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(stack_root, monkeypatch)
    old_binaries = previous_release_binaries()
    assert version_of(old_binaries) == "16.2"
    # The previous release's data directory: the same embedded server on pgserver 0.1.4's binaries. Today's
    # schema refuses their pgvector (0030), as it does when a server started before the upgrade still runs.
    with monkeypatch.context() as previous:
        previous.setattr(embedded, "POSTGRES_BIN_PATH", old_binaries)
        with pytest.raises(MigrationError, match=r"pgvector 0\.6\.2 is installed .*`starter.py dev down`"):
            await ensure_database(settings)
        pg = embedded_postgres(settings)
        pg.ensure_running()
        conn = await asyncpg.connect(pg.superuser_url("migration"))
        try:
            assert await conn.fetchval(VECTOR_VERSION) == "0.6.2"
            client_id = await conn.fetchval(
                "INSERT INTO migration.client_accounts (name, slug) VALUES ('Kept', 'kept') RETURNING id")
        finally:
            await conn.close()
        pg.stop()

    try:
        app_url, _, started = await ensure_database(settings)
        assert started
        conn = await asyncpg.connect(embedded_postgres(settings).superuser_url("migration"))
        try:
            assert await conn.fetchval("SHOW server_version") == version_of(embedded.postgres_bin_dir())
            assert tuple(map(int, (await conn.fetchval(VECTOR_VERSION)).split("."))) >= (0, 8)
        finally:
            await conn.close()
        pool = await asyncpg.create_pool(app_url, min_size=1, max_size=1)
        try:
            async with tenant_transaction(pool, client_id) as conn:
                assert await conn.fetchval("SELECT name FROM migration.client_accounts") == "Kept"
                # pgvector's 0.8 setting, which nearest-neighbour searches use, is known now
                await conn.execute("SET LOCAL hnsw.iterative_scan = strict_order")
        finally:
            await pool.close()
    finally:
        embedded_postgres(settings).stop()


def test_a_data_directory_of_another_major_version_is_refused(stack_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(stack_root, monkeypatch)
    pg = embedded_postgres(settings)
    with monkeypatch.context() as other_major:
        other_major.setattr(embedded, "POSTGRES_BIN_PATH", embedded.POSTGRES_VERSIONS[18])
        with pytest.raises(embedded.EmbeddedPostgresError):
            pg.ensure_running()  # PostgreSQL 18 makes its cluster, then ours refuses to start it
    assert (pg.pgdata / "PG_VERSION").read_text().strip() == "18"

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
    env.update(MIGRATION_DATA_DIR=str(settings.data_path), MIGRATION_PG_PORT=str(settings.embedded_pg_port),
               MIGRATION_TEMPORAL_PORT=str(free_port()), MIGRATION_TEMPORAL_UI_PORT=str(free_port()))
    result = subprocess.run([sys.executable, str(ROOT / "starter.py"), "dev", "up"], env=env, capture_output=True,
                            text=True, timeout=180, cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"{pg.pgdata} holds a PostgreSQL 18 cluster but the embedded server is PostgreSQL 16" in line
    assert f"`mv {pg.root} {pg.root}-pg18`" in line
    assert not pg.status().running
