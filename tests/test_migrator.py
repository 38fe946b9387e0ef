"""The schema migrator against a real PostgreSQL: apply, re-apply, edited files, concurrency."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncpg
import pytest

from db.migrator import SCHEMA_DIR, MigrationError, discover, migrate
from tests.conftest import TestDatabase


async def _applied_versions(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        return [r["version"] for r in await conn.fetch("SELECT version FROM migration.schema_migrations ORDER BY 1")]
    finally:
        await conn.close()


async def test_applies_every_file_to_an_empty_database_then_is_a_no_op(empty_db: TestDatabase) -> None:
    files = discover()
    assert files, "schema/ holds no migration files"
    applied = await migrate(empty_db.owner_url)
    assert [m.version for m in applied] == [m.version for m in files]
    assert await migrate(empty_db.owner_url) == []
    assert await _applied_versions(empty_db.owner_url) == [m.version for m in files]


async def test_an_edited_applied_file_is_refused(empty_db: TestDatabase, tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    await migrate(empty_db.owner_url, schema)
    first = sorted(schema.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
    with pytest.raises(MigrationError, match=f"{first.name} was edited after it was applied"):
        await migrate(empty_db.owner_url, schema)


async def test_an_applied_file_that_disappeared_is_refused(empty_db: TestDatabase, tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    await migrate(empty_db.owner_url, schema)
    last = sorted(schema.glob("*.sql"))[-1]
    last.unlink()
    with pytest.raises(MigrationError, match="its file is missing"):
        await migrate(empty_db.owner_url, schema)


async def test_a_failing_file_applies_nothing_of_itself(empty_db: TestDatabase, tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "0001_good.sql").write_text("CREATE TABLE migration.good (id int);")
    (schema / "0002_bad.sql").write_text("CREATE TABLE migration.half (id int);\nSELECT no_such_function();")
    with pytest.raises(MigrationError, match="0002_bad.sql failed to apply"):
        await migrate(empty_db.owner_url, schema)
    assert await _applied_versions(empty_db.owner_url) == [1]
    conn = await asyncpg.connect(empty_db.owner_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('migration.half')") is None
    finally:
        await conn.close()


def test_badly_named_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "1_no_padding.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="must be named NNNN_lower_snake_name.sql"):
        discover(tmp_path)


async def test_concurrent_migrators_take_turns(empty_db: TestDatabase) -> None:
    results = await asyncio.gather(*(migrate(empty_db.owner_url) for _ in range(3)))
    assert sorted(len(r) for r in results) == [0, 0, len(discover())]
    assert await _applied_versions(empty_db.owner_url) == [m.version for m in discover()]
